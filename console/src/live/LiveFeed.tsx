import { useClient, useQuery } from "@urql/preact";
import { useEffect, useState } from "preact/hooks";
import { EventTable } from "../audit/EventTable.tsx";
import { ConsoleAuditHeadDocument, type AuditEventFilter, type ConsoleAuditEventFragment } from "../generated/graphql.ts";
import type { ScreenProps } from "../layout/screens.ts";
import { allows } from "../session/store-choice.ts";
import { FeedFilters } from "./FeedFilters.tsx";
import type { SocketState } from "./socket.ts";
import { FEED_LIMIT, useLiveFeed } from "./useLiveFeed.ts";

const STATE_TEXT: Record<SocketState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  ended: "Disconnected: the session ended",
};

/** The store's audit events as they commit (the "Live feed" screen). */
export function LiveFeed({ store, session }: ScreenProps) {
  const [filter, setFilter] = useState<AuditEventFilter>({});
  if (!allows(store, "AUDIT_READ")) return <p>Reading the audit log needs the AUDIT_READ scope in this store.</p>;
  return (
    <section aria-labelledby="live-title">
      <h1 id="live-title">Live feed</h1>
      <FeedFilters onApply={setFilter} />
      {/* Another filter is another feed: it starts again from the store's newest event. */}
      <FeedView key={JSON.stringify(filter)} csrfToken={session.csrfToken} store={store} filter={filter} />
    </section>
  );
}

function FeedView({ csrfToken, store, filter }: { csrfToken: string; store: ScreenProps["store"]; filter: AuditEventFilter }) {
  const [{ data, error }] = useQuery({ query: ConsoleAuditHeadDocument, requestPolicy: "network-only" });
  const start = data ? (data.auditEvents.edges[0]?.cursor ?? null) : undefined;
  const feed = useLiveFeed({ csrfToken, store, filter, start });
  // Events shown while paused; the feed goes on collecting underneath.
  const [frozen, setFrozen] = useState<ConsoleAuditEventFragment[] | null>(null);
  useSessionCheck(feed.state);
  const shown = frozen ?? feed.events;
  const newer = frozen ? feed.events.filter((event) => event.sequence > (frozen[0]?.sequence ?? 0)).length : 0;
  const problem = error?.message ?? feed.problem;
  return (
    <>
      <div class="feed-bar">
        <p class={`feed-state feed-${feed.state}`} role="status">
          {STATE_TEXT[feed.state]}
          {frozen && `, paused (${newer} new)`}
        </p>
        <button type="button" onClick={() => setFrozen(frozen ? null : feed.events)}>
          {frozen ? "Resume" : "Pause"}
        </button>
      </div>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {shown.length === 0 ? (
        <p>No events yet: they appear here as they happen.</p>
      ) : (
        <EventTable events={shown} caption={`Events as they happen, newest first (the last ${FEED_LIMIT})`} showAccount />
      )}
    </>
  );
}

/**
 * A socket refused for good (4403) means the session most likely ended: one request through the
 * store's client then finds out, and an UNAUTHENTICATED answer returns the console to its sign-in.
 */
function useSessionCheck(state: SocketState) {
  const client = useClient();
  useEffect(() => {
    if (state === "ended") void client.query(ConsoleAuditHeadDocument, {}, { requestPolicy: "network-only" }).toPromise();
  }, [state, client]);
}
