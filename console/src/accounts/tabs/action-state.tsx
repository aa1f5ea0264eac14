import { useState } from "preact/hooks";
import type { Outcome } from "../outcome.ts";

/**
 * A tab's actions, one at a time: whether one is running (every button waits), and what the last
 * came to. `then` runs after a success (the tab reloads its list).
 */
export function useAction(then: () => void) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const run = async (action: () => Promise<Outcome>): Promise<boolean> => {
    setBusy(true);
    setOutcome(null);
    const result = await action();
    setOutcome(result);
    setBusy(false);
    if (result.ok) then();
    return result.ok;
  };
  return { busy, outcome, run };
}

/** Shown instead of a tab's changing actions when the member's scopes in this store do not allow them. */
export function ReadOnlyHint({ allowed }: { allowed: boolean }) {
  return allowed ? null : <p class="hint">Your role in this identity store does not allow these changes (they need CUSTOMERS_WRITE).</p>;
}
