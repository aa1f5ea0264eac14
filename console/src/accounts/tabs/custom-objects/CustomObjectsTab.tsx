import { useQuery } from "@urql/preact";
import { ConsoleAccountCustomObjectsDocument } from "../../../generated/graphql.ts";
import { allows } from "../../../session/store-choice.ts";
import { Pager, useCursorTrail } from "../../../shared/Pager.tsx";
import type { TabProps } from "../registry.ts";
import { CustomObjectItem } from "./CustomObjectItem.tsx";
import { CUSTOM_OBJECTS } from "./typenames.ts";
import { QueryError } from "../../../shared/OutcomeLine.tsx";

const PAGE_SIZE = 20;

/** The account's custom objects, newest first: each one's JSON, editable and deletable with CUSTOMERS_WRITE. */
export function CustomObjectsTab({ account, store }: TabProps) {
  const trail = useCursorTrail();
  const [{ data, error, fetching }] = useQuery({
    query: ConsoleAccountCustomObjectsDocument,
    variables: { id: account.id, first: PAGE_SIZE, after: trail.after },
    context: CUSTOM_OBJECTS,
  });
  const mayWrite = allows(store, "CUSTOMERS_WRITE");
  if (error) return <QueryError error={error} />;
  const objects = data?.customer?.customObjects;
  if (!objects) return fetching ? <p class="loading">Loading…</p> : null;
  return (
    <>
      {!mayWrite && <p class="hint">Your role in this identity store does not allow changing custom objects (it needs CUSTOMERS_WRITE).</p>}
      {objects.edges.length === 0 && <p>No custom object.</p>}
      <ul class="plain custom-objects">
        {objects.edges.map(({ node }) => (
          <li key={node.id}>
            <CustomObjectItem object={node} allowed={mayWrite} />
          </li>
        ))}
      </ul>
      <Pager trail={trail} pageInfo={objects.pageInfo} label="Custom object pages" />
    </>
  );
}
