import { useClient } from "@urql/preact";
import { useState } from "preact/hooks";
import { ConsoleAccountCountDocument, type CustomerFilter } from "../../generated/graphql.ts";
import { accounts, sizeOf, type Selection } from "./selection.ts";

interface Props {
  selection: Selection;
  filter: CustomerFilter | undefined;
  onSelect: (selection: Selection) => void;
}

/** How many accounts are selected; selecting every account the search matches (counted by the API) or none. */
export function SelectionBar({ selection, filter, onSelect }: Props) {
  const client = useClient();
  const [counting, setCounting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const selectMatching = async () => {
    setCounting(true);
    setFailure(null);
    const result = await client.query(ConsoleAccountCountDocument, { filter }, { requestPolicy: "network-only" }).toPromise();
    setCounting(false);
    const count = result.data?.customers.totalCount;
    if (count === undefined) setFailure(result.error?.message ?? "The accounts could not be counted.");
    else onSelect({ kind: "matching", count });
  };
  const size = sizeOf(selection);
  return (
    <div class="selection-bar">
      <p role="status">
        {selection.kind === "matching" ? `All ${accounts(size)} matching the search are selected.` : `${accounts(size)} selected.`}
      </p>
      <button type="button" class="secondary" disabled={counting || selection.kind === "matching"} onClick={selectMatching}>
        Select all matching accounts
      </button>
      <button type="button" class="secondary" disabled={size === 0} onClick={() => onSelect({ kind: "ids", ids: [] })}>
        Clear selection
      </button>
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
    </div>
  );
}
