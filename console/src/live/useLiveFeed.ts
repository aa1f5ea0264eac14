import { stringifyDocument } from "@urql/core";
import { useEffect, useState } from "preact/hooks";
import {
  ConsoleLiveAuditEventsDocument,
  type AuditEventFilter,
  type ConsoleAuditEventFragment,
  type ConsoleLiveAuditEventsSubscriptionVariables,
} from "../generated/graphql.ts";
import type { ConsoleStore } from "../session/api.ts";
import { storeSocket, type SocketState } from "./socket.ts";

/** The most events the feed holds: older ones drop off the bottom. */
export const FEED_LIMIT = 500;

export interface LiveFeed {
  /** Newest first, at most FEED_LIMIT, each sequence once. */
  events: ConsoleAuditEventFragment[];
  state: SocketState;
  /** Why the last subscription was refused (a bad filter, a missing scope…), if it was. */
  problem: string | null;
}

interface Source {
  csrfToken: string;
  store: ConsoleStore;
  filter: AuditEventFilter;
  /** The cursor to start after (the store's newest event when the feed opened; null: none); undefined: not known yet. */
  start: string | null | undefined;
}

/**
 * The store's audit events matching `filter` as they commit, over graphql-ws. Nothing is missed or
 * shown twice across a lost socket: the subscription's `after` always holds the last event seen
 * (graphql-ws sends the same payload object again when it resubscribes after a reconnect, so the
 * gateway replays from there), and an event at or below the last sequence is dropped. A stream that
 * ends (SLOW_CONSUMER: the gateway cut a subscriber that fell behind) is subscribed again likewise.
 */
export function useLiveFeed({ csrfToken, store, filter, start }: Source): LiveFeed {
  const [feed, setFeed] = useState<LiveFeed>({ events: [], state: "connecting", problem: null });
  const filterKey = JSON.stringify(filter);
  useEffect(() => {
    if (start === undefined) return;
    let current = true;
    // An empty store (no head yet) starts after 0: what commits before the socket opens is replayed.
    const after = start ?? "0";
    let last = Number(after);
    const update = (change: (feed: LiveFeed) => LiveFeed) => current && setFeed(change);
    setFeed({ events: [], state: "connecting", problem: null });
    const client = storeSocket(csrfToken, store, (state) => update((feed) => ({ ...feed, state })));
    const variables: ConsoleLiveAuditEventsSubscriptionVariables = { after, filter: JSON.parse(filterKey) as AuditEventFilter };
    const payload = { query: stringifyDocument(ConsoleLiveAuditEventsDocument), variables };
    let unsubscribe = () => {};
    // Only a stream the gateway cut for falling behind is subscribed again; any other end is final.
    let cut = false;
    const subscribe = () => {
      cut = false;
      unsubscribe = client.subscribe<{ auditEvents: ConsoleAuditEventFragment }>(payload, {
        next: ({ data, errors }) => {
          const event = data?.auditEvents;
          cut ||= errors?.some((e) => e.extensions?.code === "SLOW_CONSUMER") ?? false;
          if (errors?.length && !cut) update((feed) => ({ ...feed, problem: problemOf(errors) }));
          if (!event || event.sequence <= last) return;
          last = event.sequence;
          variables.after = event.cursor;
          update((feed) => ({ ...feed, problem: null, events: [event, ...feed.events].slice(0, FEED_LIMIT) }));
        },
        // GraphQL errors (a bad filter…) refuse this subscription; a close event means no more retries.
        error: (error) => update((feed) => (Array.isArray(error) ? { ...feed, problem: problemOf(error) } : { ...feed, state: "ended" })),
        complete: () => current && cut && subscribe(),
      });
    };
    subscribe();
    return () => {
      current = false;
      unsubscribe();
      void client.dispose();
    };
  }, [csrfToken, store, filterKey, start]);
  return feed;
}

/** What a refused subscription says: its GraphQL errors' messages. */
function problemOf(errors: readonly { message?: string }[]): string {
  return errors.map((e) => e.message ?? "").join(" ");
}
