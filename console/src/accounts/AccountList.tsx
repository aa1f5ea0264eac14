import { useState } from "preact/hooks";
import type { ConsoleSegmentFragment } from "../generated/graphql.ts";
import type { ScreenProps } from "../layout/screens.ts";
import { allows } from "../session/store-choice.ts";
import { AccountTable } from "./AccountTable.tsx";
import { QuickActions } from "./bulk/QuickActions.tsx";
import { RecentJobs } from "./bulk/RecentJobs.tsx";
import { NOTHING, type Selection } from "./bulk/selection.ts";
import { SelectionBar } from "./bulk/SelectionBar.tsx";
import { EMPTY_QUERY, filterOf, queryOf, type SearchQuery } from "./search/filter.ts";
import { SearchForm } from "./search/SearchForm.tsx";
import { useSearchFields } from "./search/useSearchFields.ts";
import { Segments } from "./segments/Segments.tsx";
import { useAccountPages } from "./useAccountPages.ts";

/** The search screen: pinned fields and the query builder, saved segments, the list with its quick actions. */
export function AccountList({ store }: ScreenProps) {
  const { fields, choices, error: choicesError } = useSearchFields();
  const pages = useAccountPages();
  const [query, setQuery] = useState<SearchQuery>(EMPTY_QUERY);
  // Loading a segment replaces the form's draft: a new key mounts it afresh from `query`.
  const [formKey, setFormKey] = useState(0);
  const [selection, setSelection] = useState<Selection>(NOTHING);
  const [notice, setNotice] = useState<string | null>(null);
  const [ended, setEnded] = useState(0);
  const mayWrite = allows(store, "CUSTOMERS_WRITE");

  const search = (next: SearchQuery) => {
    setQuery(next);
    setSelection(NOTHING);
    setNotice(null);
    pages.search(filterOf(next, fields));
  };
  const apply = (segment: ConsoleSegmentFragment) => {
    const loaded = queryOf(segment.filter, fields);
    if (!loaded) return setNotice(`The builder cannot show the filter of ${segment.name}.`);
    search(loaded);
    setFormKey(formKey + 1);
  };
  const finished = () => {
    setSelection(NOTHING);
    setEnded((n) => n + 1);
    pages.refresh();
  };
  const rows = pages.page?.edges.map((edge) => edge.node) ?? [];
  return (
    <section aria-labelledby="accounts-title">
      <h1 id="accounts-title">Accounts</h1>
      <SearchForm key={`${store.keyId}-${formKey}`} store={store} fields={fields} initial={query} onSearch={search} />
      <Segments filter={pages.filter} allowed={mayWrite} onApply={apply} />
      {[choicesError, pages.error?.message, notice].filter(Boolean).map((message) => (
        <p key={message} class="error" role="alert">
          {message}
        </p>
      ))}
      <p class="status-line" role="status">
        {pages.fetching ? "Loading…" : pages.page && rows.length === 0 ? "No account matches." : ""}
      </p>
      <SelectionBar selection={selection} filter={pages.filter} onSelect={setSelection} />
      <QuickActions selection={selection} filter={pages.filter} groups={choices.groups} allowed={mayWrite} onFinished={finished} />
      {rows.length > 0 && <AccountTable rows={rows} selection={selection} onSelect={setSelection} />}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={!pages.previous} onClick={pages.previous}>
          Previous
        </button>
        <button type="button" disabled={!pages.next} onClick={pages.next}>
          Next
        </button>
      </nav>
      {mayWrite && <RecentJobs refresh={ended} />}
    </section>
  );
}
