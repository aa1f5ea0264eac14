import type { JobStatus } from "../generated/graphql.ts";

const STATUS_CLASS: Record<JobStatus, string> = {
  QUEUED: "label label-warn",
  RUNNING: "label label-warn",
  COMPLETED: "label label-good",
  FAILED: "label label-bad",
  CANCELLED: "label",
};

export function JobStatusLabel({ status }: { status: JobStatus }) {
  return <span class={STATUS_CLASS[status]}>{status.charAt(0) + status.slice(1).toLowerCase()}</span>;
}

/** Whether the job may still change (the progress page keeps asking). */
export const isOpen = (status: JobStatus) => status === "QUEUED" || status === "RUNNING";
