import type { BulkAction } from "../../generated/graphql.ts";

/** The quick actions the list offers, what each needs besides the selection, and what it did. */
export interface QuickAction {
  action: BulkAction;
  label: string;
  /** The past tense for the outcome ("Disabled: 3 changed, …"). */
  done: string;
  needs?: "group" | "reason" | "typedCount";
}

export const QUICK_ACTIONS: QuickAction[] = [
  { action: "DISABLE", label: "Disable", done: "Disabled" },
  { action: "ENABLE", label: "Enable", done: "Enabled" },
  { action: "BLOCK", label: "Block", done: "Blocked", needs: "reason" },
  { action: "ADD_TO_GROUP", label: "Add to group", done: "Added to the group", needs: "group" },
  { action: "REMOVE_FROM_GROUP", label: "Remove from group", done: "Removed from the group", needs: "group" },
  { action: "DELETE", label: "Delete", done: "Deleted", needs: "typedCount" },
];

export const quickAction = (action: BulkAction) => QUICK_ACTIONS.find((a) => a.action === action);

export const JOB_STATUS: Record<string, string> = {
  QUEUED: "Queued",
  RUNNING: "Running",
  COMPLETED: "Completed",
  FAILED: "Failed",
  CANCELLED: "Cancelled",
};

export const isFinished = (status: string) => status === "COMPLETED" || status === "FAILED" || status === "CANCELLED";

/** "3 changed, 1 skipped, 0 failed": the counters every bulk outcome and job has. */
export const counters = (c: { affected: number; skipped: number; failed: number }) =>
  `${c.affected} changed, ${c.skipped} skipped, ${c.failed} failed`;
