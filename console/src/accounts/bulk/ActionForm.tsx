import { useState } from "preact/hooks";
import type { RunBulkActionInput } from "../../generated/graphql.ts";
import type { Choice } from "../search/operators.ts";
import type { QuickAction } from "./actions.ts";
import { accounts } from "./selection.ts";

interface Props {
  quick: QuickAction;
  count: number;
  groups: Choice[];
  busy: boolean;
  onRun: (extra: Omit<RunBulkActionInput, "action" | "selection">) => void;
  onCancel: () => void;
}

/** Confirms one quick action over the selection, asking for what it needs: a group, a reason, the count typed out. */
export function ActionForm({ quick, count, groups, busy, onRun, onCancel }: Props) {
  const [groupId, setGroupId] = useState("");
  const [reason, setReason] = useState("");
  const [typed, setTyped] = useState("");
  const ready =
    (quick.needs !== "group" || groupId !== "") &&
    (quick.needs !== "reason" || reason.trim() !== "") &&
    (quick.needs !== "typedCount" || typed.trim() === String(count));
  const submit = (event: Event) => {
    event.preventDefault();
    if (quick.needs === "group") onRun({ groupId });
    else if (quick.needs === "reason") onRun({ reason: reason.trim() });
    // The count the member typed is the one the API must find, or it refuses (BULK_COUNT_MISMATCH).
    else if (quick.needs === "typedCount") onRun({ expectedCount: Number(typed.trim()) });
    else onRun({});
  };
  return (
    <form
      class={quick.needs === "typedCount" ? "danger action-form" : "action-form"}
      onSubmit={submit}
      aria-label={`${quick.label} accounts`}
    >
      {quick.needs === "group" && <label for="bulk-group">Group</label>}
      {quick.needs === "group" && (
        // A label of its own (not wrapping the list): the list's options are no part of its name.
        <>
          <label for="bulk-group">Group</label>
          <select id="bulk-group" value={groupId} onChange={(e) => setGroupId(e.currentTarget.value)}>
            <option value="">Choose a group…</option>
            {groups.map((g) => (
              <option key={g.value} value={g.value}>
                {g.label}
              </option>
            ))}
          </select>
        </>
      )}
      {quick.needs === "reason" && (
        <label>
          Reason for the block
          <input value={reason} maxLength={500} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
      )}
      {quick.needs === "typedCount" && (
        <label>
          <span>
            Deletes the accounts with everything they hold; this cannot be undone. Type <strong>{count}</strong> to confirm
          </span>
          <input value={typed} inputMode="numeric" autocomplete="off" onInput={(e) => setTyped(e.currentTarget.value)} />
        </label>
      )}
      <div class="buttons">
        <button type="submit" class={quick.needs === "typedCount" ? "destructive" : undefined} disabled={busy || !ready}>
          {`${quick.label} ${accounts(count)}`}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
