import type { Outcome } from "../outcome.ts";

/** A mutation's ValidationError issues (field and message), when its answer is one. */
export function issuesOf(data: Record<string, unknown> | null | undefined): { field: string; message: string }[] {
  const answer = Object.values(data ?? {})[0] as { issues?: { field: string; message: string }[] } | undefined;
  return answer?.issues ?? [];
}

interface Props {
  outcome: Outcome | null;
  issues?: readonly { field: string; message: string }[];
}

/** What an action came to, next to its control: a refusal (with the gateway's issues) as an alert, success as a status. */
export function ActionStatus({ outcome, issues = [] }: Props) {
  // A single issue is usually the message itself: listed only when it says more.
  const more = issues.length > 1 || (issues.length === 1 && !outcome?.message.includes(issues[0]!.message));
  if (outcome?.ok === false)
    return (
      <div class="error" role="alert">
        <p>{outcome.message}</p>
        {more && (
          <ul>
            {issues.map((issue) => (
              <li key={issue.field + issue.message}>
                <code>{issue.field}</code>: {issue.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  return (
    <p role="status" class="done">
      {outcome?.message}
    </p>
  );
}
