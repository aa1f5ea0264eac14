import { useState } from "preact/hooks";
import type { ConsoleStore } from "../../session/api.ts";
import type { SearchField } from "./fields.ts";
import type { SearchQuery } from "./filter.ts";
import { PinnedFields } from "./PinnedFields.tsx";
import { storedPins, storePins } from "./pins.ts";
import { QueryBuilder } from "./QueryBuilder.tsx";

interface Props {
  store: ConsoleStore;
  fields: SearchField[];
  /** The query last searched: where the form starts (the parent remounts it to load a segment). */
  initial: SearchQuery;
  onSearch: (query: SearchQuery) => void;
}

/** The search: pinned fields above, the builder below; nothing is asked until Search (or Enter). */
export function SearchForm({ store, fields, initial, onSearch }: Props) {
  const [draft, setDraft] = useState(initial);
  const [pins, setPins] = useState(() => storedPins(store));
  const pin = (next: string[]) => {
    storePins(store, next);
    setPins(next);
  };
  const submit = (event: Event) => {
    event.preventDefault();
    onSearch(draft);
  };
  return (
    <form class="search-form" role="search" aria-label="Accounts" onSubmit={submit}>
      <PinnedFields pins={pins} values={draft.pinned} fields={fields} onValues={(pinned) => setDraft({ ...draft, pinned })} onPins={pin} />
      <QueryBuilder
        combine={draft.combine}
        conditions={draft.conditions}
        fields={fields}
        onChange={(combine, conditions) => setDraft({ ...draft, combine, conditions })}
      />
      <button type="submit">Search</button>
    </form>
  );
}
