import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import {
  ConsoleRunBulkActionDocument,
  type ConsoleBulkJobFragment,
  type CustomerFilter,
  type RunBulkActionInput,
} from "../../generated/graphql.ts";
import { OutcomeLine } from "../../shared/OutcomeLine.tsx";
import { outcomeOf, type Outcome } from "../outcome.ts";
import type { Choice } from "../search/operators.ts";
import { counters, QUICK_ACTIONS, quickAction, type QuickAction } from "./actions.ts";
import { ActionForm } from "./ActionForm.tsx";
import { JobProgress } from "./JobProgress.tsx";
import { selectionInput, sizeOf, type Selection } from "./selection.ts";

interface Props {
  selection: Selection;
  filter: CustomerFilter | undefined;
  groups: Choice[];
  /** CUSTOMERS_WRITE: every bulk action needs it. */
  allowed: boolean;
  /** An action or job ended: the list and the job list ask again. */
  onFinished: () => void;
}

/** The quick actions over the selection: small selections answer at once, larger ones run as a job followed here. */
export function QuickActions({ selection, filter, groups, allowed, onFinished }: Props) {
  const [pending, setPending] = useState<QuickAction | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [job, setJob] = useState<ConsoleBulkJobFragment | null>(null);
  const [{ fetching }, run] = useMutation(ConsoleRunBulkActionDocument);
  const count = sizeOf(selection);
  const start = async (quick: QuickAction, extra: Omit<RunBulkActionInput, "action" | "selection">) => {
    setOutcome(null);
    const result = await run({ input: { action: quick.action, selection: selectionInput(selection, filter), ...extra } });
    const answer = result.data?.runBulkAction;
    const ran = answer?.__typename === "RunBulkActionPayload" ? answer.run : undefined;
    if (ran?.__typename === "BulkActionJob") {
      setPending(null);
      setJob(ran);
      return;
    }
    const next = outcomeOf(result, () => (ran?.__typename === "BulkActionOutcome" ? `${quick.done}: ${counters(ran)}.` : quick.done));
    setOutcome(next);
    if (next.ok) {
      setPending(null);
      onFinished();
    }
  };
  return (
    <section class="quick-actions" aria-labelledby="quick-actions-title">
      <h2 id="quick-actions-title">Quick actions</h2>
      <div class="buttons">
        {QUICK_ACTIONS.map((quick) => (
          <button key={quick.action} type="button" class="secondary" disabled={!allowed || count === 0} onClick={() => setPending(quick)}>
            {quick.label}
          </button>
        ))}
      </div>
      {!allowed && <p class="hint">Your role in this identity store does not allow bulk actions.</p>}
      {pending && count > 0 && (
        <ActionForm
          key={pending.action}
          quick={pending}
          count={count}
          groups={groups}
          busy={fetching}
          onRun={(extra) => start(pending, extra)}
          onCancel={() => setPending(null)}
        />
      )}
      <OutcomeLine outcome={outcome} />
      {job && <JobProgress key={job.id} job={job} label={quickAction(job.action)?.label ?? job.action} onFinished={onFinished} />}
    </section>
  );
}
