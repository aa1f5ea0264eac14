import type { Outcome } from "../accounts/outcome.ts";

/** A mutation's ValidationError issues (field and message), when its answer is one. */
export function issuesOf(data: Record<string, unknown> | null | undefined): { field: string; message: string }[] {
  const answer = Object.values(data ?? {})[0] as { issues?: { field: string; message: string }[] } | undefined;
  return answer?.issues ?? [];
}

interface Props {
  outcome: Outcome | null;
  /** A refusal's ValidationError issues, listed under its message when they say more. */
  issues?: readonly { field: string; message: string }[];
}

/**
 * What an action came to, next to its control: a refusal (typed error, FORBIDDEN, a lost
 * connection; with the gateway's issues) as an alert, announced at once; a success as a polite status.
 */
export function OutcomeLine({ outcome, issues = [] }: Props) {
  // A single issue is usually the message itself: listed only when it says more.
  const more = issues.length > 1 || (issues.length === 1 && !outcome?.message.includes(issues[0]!.message));
  if (outcome && !outcome.ok)
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
    <p class="done" role="status">
      {outcome?.message}
    </p>
  );
}

/** A query's failure (FORBIDDEN, a lost connection), as an alert. */
export function QueryError({ error }: { error: { message: string } | undefined }) {
  return error ? (
    <p class="error" role="alert">
      {error.message}
    </p>
  ) : null;
}
