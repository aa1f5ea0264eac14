import { useQuery } from "@urql/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { EventTable } from "../../audit/EventTable.tsx";
import { ConsoleAccountActivityDocument } from "../../generated/graphql.ts";
import { allows } from "../../session/store-choice.ts";
import type { TabProps } from "./registry.ts";

const PAGE_SIZE = 20;

/** The account's activity log: its audit events, newest first, older ones a page at a time. */
export function ActivityTab({ account, store }: TabProps) {
  // The cursors of the pages shown after the first: each "Older events" adds one.
  const [pages, setPages] = useState<(string | undefined)[]>([undefined]);
  if (!allows(store, "AUDIT_READ")) return <p>Reading the activity log needs the AUDIT_READ scope in this store.</p>;
  return (
    <>
      {pages.map((after, index) => (
        <ActivityPage
          key={after ?? "first"}
          customerId={account.id}
          after={after}
          changed={index === 0 ? account : undefined}
          onOlder={index === pages.length - 1 ? (cursor) => setPages([...pages, cursor]) : undefined}
        />
      ))}
    </>
  );
}

interface PageProps {
  customerId: string;
  after: string | undefined;
  /** The first page only: a new value (an action answered with the account) asks again. */
  changed?: object;
  /** Shown on the last page only: opens the page after `cursor`. */
  onOlder?: (cursor: string) => void;
}

function ActivityPage({ customerId, after, changed, onOlder }: PageProps) {
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: ConsoleAccountActivityDocument,
    variables: { customerId, first: PAGE_SIZE, after },
    requestPolicy: "network-only",
  });
  const seen = useRef(changed);
  useEffect(() => {
    if (changed === seen.current) return;
    seen.current = changed;
    reexecute({ requestPolicy: "network-only" });
  }, [changed, reexecute]);
  if (error)
    return (
      <p class="error" role="alert">
        {error.message}
      </p>
    );
  if (!data) return fetching ? <p class="loading">Loading…</p> : null;
  const { edges, pageInfo } = data.auditEvents;
  if (edges.length === 0 && !after) return <p>No activity recorded for this account.</p>;
  return (
    <>
      <EventTable events={edges.map((edge) => edge.node)} caption={after ? "Older activity" : "Activity, newest first"} />
      {onOlder && pageInfo.hasNextPage && pageInfo.endCursor && (
        <button type="button" onClick={() => onOlder(pageInfo.endCursor!)}>
          Older events
        </button>
      )}
    </>
  );
}
