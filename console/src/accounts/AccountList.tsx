import { useQuery } from "@urql/preact";
import { useMemo, useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { ConsoleAccountsDocument, type ConsoleAccountsQuery, type CustomerFilter, type CustomerStatus } from "../generated/graphql.ts";
import { accountPath } from "./paths.ts";
import { EmailLabel, ExternalIdentityLabel, formatDate, fullName, StatusLabel } from "./labels.tsx";

const PAGE_SIZE = 25;

interface Search {
  email: string;
  status: CustomerStatus | "";
}

/** The search as the `customers` query's filter language: an exact email, any of the statuses. */
function filterOf({ email, status }: Search): CustomerFilter | undefined {
  const filter: CustomerFilter = {};
  if (email.trim()) filter.email = { equals: email.trim().toLowerCase() };
  if (status) filter.status = [status];
  return Object.keys(filter).length ? filter : undefined;
}

export function AccountList() {
  const [search, setSearch] = useState<Search>({ email: "", status: "" });
  // The cursors of the pages before this one (the search pages forward only): Previous pops one.
  const [trail, setTrail] = useState<string[]>([]);
  const filter = useMemo(() => filterOf(search), [search]);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: ConsoleAccountsDocument,
    variables: { filter, first: PAGE_SIZE, after: trail.at(-1) },
  });
  const page = data?.customers;
  // The same search again asks the gateway again: accounts change under a support desk.
  const apply = (next: Search) => {
    if (trail.length === 0 && next.email === search.email && next.status === search.status) reexecute({ requestPolicy: "network-only" });
    setSearch(next);
    setTrail([]);
  };
  return (
    <section aria-labelledby="accounts-title">
      <h1 id="accounts-title">Accounts</h1>
      <SearchForm initial={search} onSearch={apply} />
      {error && (
        <p class="error" role="alert">
          {error.message}
        </p>
      )}
      <p class="status-line" role="status">
        {fetching ? "Loading…" : page && page.edges.length === 0 ? "No account matches." : ""}
      </p>
      {page && page.edges.length > 0 && <AccountTable rows={page.edges.map((edge) => edge.node)} />}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={trail.length === 0} onClick={() => setTrail(trail.slice(0, -1))}>
          Previous
        </button>
        <button
          type="button"
          disabled={!page?.pageInfo.hasNextPage || !page.pageInfo.endCursor}
          onClick={() => setTrail([...trail, page!.pageInfo.endCursor!])}
        >
          Next
        </button>
      </nav>
    </section>
  );
}

function SearchForm({ initial, onSearch }: { initial: Search; onSearch: (search: Search) => void }) {
  const [email, setEmail] = useState(initial.email);
  const [status, setStatus] = useState(initial.status);
  const submit = (event: Event) => {
    event.preventDefault();
    onSearch({ email, status });
  };
  return (
    <form class="search" role="search" onSubmit={submit}>
      <label>
        Email (exact)
        <input type="search" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label>
        Status
        <select value={status} onChange={(e) => setStatus(e.currentTarget.value as Search["status"])}>
          <option value="">Any</option>
          <option value="ACTIVE">Enabled</option>
          <option value="DISABLED">Disabled</option>
          <option value="BLOCKED">Blocked</option>
        </select>
      </label>
      <button type="submit">Search</button>
    </form>
  );
}

/** A click on the row, not on its link (which navigates by itself). */
const opensRow = (event: MouseEvent) => !(event.target instanceof Element && event.target.closest("a"));

type Row = ConsoleAccountsQuery["customers"]["edges"][number]["node"];

function AccountTable({ rows }: { rows: Row[] }) {
  const [, navigate] = useLocation();
  return (
    <table class="accounts">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Primary email</th>
          <th scope="col">Status</th>
          <th scope="col">Identity</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((account) => (
          // The whole row opens the account; the name is the link keyboards and screen readers use.
          <tr key={account.id} class="clickable" onClick={(e) => opensRow(e) && navigate(accountPath(account.id))}>
            <td>
              <Link href={accountPath(account.id)}>{fullName(account)}</Link>
            </td>
            <td>
              {account.primaryEmail ?? "—"} <EmailLabel labels={account.labels} />
            </td>
            <td>
              <StatusLabel labels={account.labels} />
            </td>
            <td>
              <ExternalIdentityLabel labels={account.labels} />
            </td>
            <td>{formatDate(account.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
