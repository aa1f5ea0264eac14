import { useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { ConsoleAccountsDocument, type CustomerFilter } from "../generated/graphql.ts";

const PAGE_SIZE = 25;

/**
 * The account list's keyset pages for the filter searched last. The search pages forward only
 * (after): going back pops the cursors it came through. A new search starts at the first page.
 */
export function useAccountPages() {
  const [state, setState] = useState<{ filter: CustomerFilter | undefined; trail: string[] }>({ filter: undefined, trail: [] });
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: ConsoleAccountsDocument,
    variables: { filter: state.filter, first: PAGE_SIZE, after: state.trail.at(-1) },
  });
  const page = data?.customers;
  const refresh = () => reexecute({ requestPolicy: "network-only" });
  // The same search again asks the gateway again: accounts change under a support desk.
  const search = (filter: CustomerFilter | undefined) => {
    if (state.trail.length === 0 && JSON.stringify(filter) === JSON.stringify(state.filter)) refresh();
    setState({ filter, trail: [] });
  };
  const endCursor = page?.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  return {
    filter: state.filter,
    page,
    fetching,
    error,
    refresh,
    search,
    previous: state.trail.length > 0 ? () => setState({ ...state, trail: state.trail.slice(0, -1) }) : undefined,
    next: endCursor ? () => setState({ ...state, trail: [...state.trail, endCursor] }) : undefined,
  };
}
