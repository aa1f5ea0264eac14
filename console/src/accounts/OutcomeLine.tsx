import type { Outcome } from "./outcome.ts";

/** An action's outcome: a refusal as an alert (announced at once), a success as a status line. */
export function OutcomeLine({ outcome }: { outcome: Outcome | null }) {
  if (outcome && !outcome.ok) {
    return (
      <p class="error" role="alert">
        {outcome.message}
      </p>
    );
  }
  return (
    <p class="done" role="status">
      {outcome?.message}
    </p>
  );
}
