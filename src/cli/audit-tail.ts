import { createClient } from "graphql-ws";
import WebSocket from "ws";

// `audit tail` is a client of a running gateway (over graphql-ws), not of the database: with the
// embedded PGlite the gateway owns the data folder, and a client works the same against any node.

const SUBSCRIPTION = `subscription Tail($filter: AuditEventFilter, $after: String) {
  auditEvents(filter: $filter, after: $after) {
    cursor sequence type occurredAt customerId ip requestId
    actor { kind id }
    data
  }
}`;

export interface TailEvent {
  cursor: string;
  sequence: number;
  type: string;
  occurredAt: string;
  customerId: string | null;
  ip: string | null;
  requestId: string | null;
  actor: { kind: string; id: string | null };
  data: Record<string, unknown>;
}

export interface TailOptions {
  url: string;
  keyId: string;
  secret: string;
  types?: string[];
  customerId?: string;
  after?: string;
  json: boolean;
  print(line: string): void;
}

/** One readable line per event; `changes` diffs are spelled out. */
export function formatEvent(e: TailEvent): string {
  const who = `${e.actor.kind}${e.actor.id ? `:${e.actor.id}` : ""}`;
  const changes = (e.data.changes ?? null) as Record<string, { from: unknown; to: unknown }> | null;
  const detail = changes
    ? Object.entries(changes)
        .map(([field, c]) => `${field} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`)
        .join(", ")
    : JSON.stringify(e.data);
  return `#${e.sequence} ${e.occurredAt} ${e.type} by ${who}${e.customerId ? ` customer=${e.customerId}` : ""} ${detail}`;
}

/**
 * Prints the live audit stream until interrupted. After a disconnect (gateway restart, network,
 * SLOW_CONSUMER) it resubscribes after the last event it printed, so nothing is lost or repeated.
 */
export async function tailAuditEvents(options: TailOptions, signal: AbortSignal): Promise<void> {
  let after = options.after;
  const filter = {
    ...(options.types?.length ? { types: options.types } : {}),
    ...(options.customerId ? { customerId: options.customerId } : {}),
  };
  const client = createClient({
    url: options.url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { "x-api-key": options.keyId, "x-api-secret": options.secret },
    retryAttempts: Infinity,
    shouldRetry: () => !signal.aborted,
  });
  signal.addEventListener("abort", () => void client.dispose());
  while (!signal.aborted) {
    const outcome = await new Promise<"ended" | "fatal">((resolve) => {
      const stop = client.subscribe<{ auditEvents: TailEvent }>(
        { query: SUBSCRIPTION, variables: { filter, after } },
        {
          next: (result) => {
            const event = result.data?.auditEvents;
            if (event) {
              after = event.cursor;
              options.print(options.json ? JSON.stringify(event) : formatEvent(event));
            }
            for (const error of result.errors ?? []) console.error(`gateway: ${error.message}`);
          },
          error: (error) => {
            const code = (error as { code?: number }).code;
            if (code === 4401 || code === 4403) {
              console.error("The gateway refused the credential (check GATEWAY_API_KEY / GATEWAY_API_SECRET).");
              resolve("fatal");
            } else {
              console.error(`stream error: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
              resolve("ended");
            }
          },
          complete: () => resolve("ended"),
        },
      );
      signal.addEventListener("abort", () => {
        stop();
        resolve("ended");
      });
    });
    if (outcome === "fatal") throw new Error("unauthorized");
    if (!signal.aborted) await new Promise((r) => setTimeout(r, 1000));
  }
}
