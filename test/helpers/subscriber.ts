import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface ReceivedEvent {
  sequence: number;
  cursor: string;
  type: string;
  customerId: string | null;
}

export const AUDIT_SUBSCRIPTION = `subscription ($filter: AuditEventFilter, $after: String) {
  auditEvents(filter: $filter, after: $after) { sequence cursor type customerId }
}`;

/**
 * A graphql-ws subscriber on a real socket that collects audit events. `waitFor(n)` resolves once
 * n events arrived (or rejects after a timeout, listing what did arrive).
 */
export function subscribeAudit(httpUrl: string, headers: Record<string, string>, variables: Record<string, unknown> = {}) {
  const events: ReceivedEvent[] = [];
  const errors: unknown[] = [];
  let closeCode: number | undefined;
  let notify = () => {};
  const client: Client = createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: headers,
    retryAttempts: 0,
    lazy: false,
    on: {
      closed: (event) => {
        closeCode = (event as { code?: number }).code;
        notify();
      },
    },
    onNonLazyError: () => {},
  });
  const dispose = client.subscribe<{ auditEvents: ReceivedEvent }>(
    { query: AUDIT_SUBSCRIPTION, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data?.auditEvents) events.push(result.data.auditEvents);
        notify();
      },
      error: (error) => {
        errors.push(error);
        notify();
      },
      complete: () => notify(),
    },
  );
  const until = (done: () => boolean, what: string, ms = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify({ events, errors, closeCode })}`)), ms);
      const check = () => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        }
      };
      notify = check;
      check();
    });
  return {
    events,
    errors,
    get closeCode() {
      return closeCode;
    },
    waitFor: (n: number) => until(() => events.length >= n, `${n} events`),
    waitForClose: () => until(() => closeCode !== undefined, "the socket to close"),
    async close() {
      dispose();
      await client.dispose();
    },
  };
}
