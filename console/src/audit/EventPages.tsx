import { useQuery } from "@urql/preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ConsoleAuditEventsDocument, type AuditEventFilter, type ConsoleAuditEventFragment } from "../generated/graphql.ts";
import { EventTable } from "./EventTable.tsx";
import { QueryError } from "../shared/OutcomeLine.tsx";

const PAGE_SIZE = 20;

interface Props {
  filter: AuditEventFilter;
  /** The first page's caption; later pages are "Older events". */
  caption: string;
  /** Said when nothing matches. */
  empty: string;
  showAccount?: boolean;
  /** A new value (an action answered) asks for the first page again. */
  changed?: object;
  /** Told each page's events as they load. */
  onLoaded?: (events: ConsoleAuditEventFragment[]) => void;
}

/** The audit events `filter` matches, newest first, older ones a page at a time (keyset: each "Older events" goes on after the last cursor). */
export function EventPages({ filter, caption, empty, showAccount, changed, onLoaded }: Props) {
  // The cursors of the pages shown after the first: each "Older events" adds one.
  const [pages, setPages] = useState<(string | undefined)[]>([undefined]);
  return (
    <>
      {pages.map((after, index) => (
        <EventPage
          key={after ?? "first"}
          filter={filter}
          after={after}
          caption={after ? "Older events" : caption}
          empty={empty}
          showAccount={showAccount}
          onLoaded={onLoaded}
          changed={index === 0 ? changed : undefined}
          onOlder={index === pages.length - 1 ? (cursor) => setPages([...pages, cursor]) : undefined}
        />
      ))}
    </>
  );
}

interface PageProps extends Omit<Props, "changed"> {
  after: string | undefined;
  changed: object | undefined;
  /** Shown on the last page only: opens the page after `cursor`. */
  onOlder?: (cursor: string) => void;
}

function EventPage({ filter, after, caption, empty, showAccount, changed, onLoaded, onOlder }: PageProps) {
  const filterKey = JSON.stringify(filter);
  const variables = useMemo(() => ({ filter: JSON.parse(filterKey) as AuditEventFilter, first: PAGE_SIZE, after }), [filterKey, after]);
  const [{ data, error, fetching }, reexecute] = useQuery({ query: ConsoleAuditEventsDocument, variables, requestPolicy: "network-only" });
  const seen = useRef(changed);
  useEffect(() => {
    if (changed === seen.current) return;
    seen.current = changed;
    reexecute({ requestPolicy: "network-only" });
  }, [changed, reexecute]);
  const events = useMemo(() => data?.auditEvents.edges.map((edge) => edge.node) ?? [], [data]);
  useEffect(() => onLoaded?.(events), [events, onLoaded]);
  if (error) return <QueryError error={error} />;
  if (!data) return fetching ? <p class="loading">Loading…</p> : null;
  const { pageInfo } = data.auditEvents;
  if (events.length === 0 && !after) return <p>{empty}</p>;
  return (
    <>
      <EventTable events={events} caption={caption} showAccount={showAccount} />
      {onOlder && pageInfo.hasNextPage && pageInfo.endCursor && (
        <button type="button" onClick={() => onOlder(pageInfo.endCursor!)}>
          Older events
        </button>
      )}
    </>
  );
}
