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

/** Why `audit tail` gave up: a refused credential or a gateway it never reached. */
export class TailFailure extends Error {}

/**
 * Prints the live audit stream until interrupted. After a disconnect (gateway restart, network,
 * SLOW_CONSUMER) it resubscribes after the last event it printed, so nothing is lost or repeated.
 * It gives up at once (TailFailure) when the credential is refused (4401, 4403) or the gateway
 * cannot be reached at all: retrying would never help, and a silent retry loop looks like a quiet trail.
 */
export async function tailAuditEvents(options: TailOptions, signal: AbortSignal): Promise<void> {
  let after = options.after;
  let reached = false;
  const filter = {
    ...(options.types?.length ? { types: options.types } : {}),
    ...(options.customerId ? { customerId: options.customerId } : {}),
  };
  const url = options.url.replace(/^http/, "ws");
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { "x-api-key": options.keyId, "x-api-secret": options.secret },
    retryAttempts: Infinity,
    // Reconnect only to a gateway that answered before (a restart), never after a refusal.
    shouldRetry: (event) => !signal.aborted && reached && !refused(event),
    on: { connected: () => (reached = true) },
  });
  signal.addEventListener("abort", () => void client.dispose());
  while (!signal.aborted) {
    const failure = await new Promise<TailFailure | null>((resolve) => {
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
            if (refused(error)) {
              resolve(new TailFailure("The gateway refused the credential (check GATEWAY_API_KEY / GATEWAY_API_SECRET)."));
            } else if (!reached) {
              resolve(new TailFailure(`Cannot reach the gateway at ${url} (set GATEWAY_URL to its http(s)://…/graphql address).`));
            } else {
              console.error(`stream error: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
              resolve(null);
            }
          },
          complete: () => resolve(null),
        },
      );
      signal.addEventListener("abort", () => {
        stop();
        resolve(null);
      });
    });
    if (failure) {
      await client.dispose();
      throw failure;
    }
    if (!signal.aborted) await new Promise((r) => setTimeout(r, 1000));
  }
}

/** 4401 (no credential) or 4403 (wrong or revoked): reconnecting with the same one cannot help. */
function refused(event: unknown): boolean {
  const code = (event as { code?: unknown })?.code;
  return code === 4401 || code === 4403;
}
