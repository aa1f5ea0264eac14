import { useState } from "preact/hooks";

/** The history's purpose filter: an exact purpose, or every purpose when empty. */
export function PurposeFilter({ purpose, onFilter }: { purpose: string; onFilter: (purpose: string) => void }) {
  const [typed, setTyped] = useState(purpose);
  const submit = (event: Event) => {
    event.preventDefault();
    onFilter(typed.trim());
  };
  return (
    <form class="search" role="search" aria-label="Consent history" onSubmit={submit}>
      <label>
        Purpose (exact, empty for all)
        <input value={typed} autocomplete="off" onInput={(e) => setTyped(e.currentTarget.value)} />
      </label>
      <button type="submit" class="secondary">
        Filter history
      </button>
    </form>
  );
}
