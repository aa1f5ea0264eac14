import type { Outcome } from "../accounts/outcome.ts";

/** What an action came to: a refusal (typed error, FORBIDDEN…) is an alert, a success a polite status. */
export function OutcomeLine({ outcome }: { outcome: Outcome | null }) {
  if (outcome && !outcome.ok)
    return (
      <p class="error" role="alert">
        {outcome.message}
      </p>
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
