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
 * A graphql-ws subscriber on a real socket that collects audit events (`query` selects them; its
 * root field must be auditEvents). `waitFor(n)` resolves once n events arrived (or rejects after a
 * timeout, listing what did arrive). `webSocketImpl` lets a test reach the client's socket.
 */
export function subscribeAudit(
  httpUrl: string,
  headers: Record<string, string>,
  variables: Record<string, unknown> = {},
  query = AUDIT_SUBSCRIPTION,
  webSocketImpl: typeof WebSocket = WebSocket,
) {
  const events: ReceivedEvent[] = [];
  const errors: unknown[] = [];
  let closeCode: number | undefined;
  let notify = () => {};
  const client: Client = createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl,
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
    { query, variables },
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
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify({ events, errors, closeCode })}`)),
        ms,
      );
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

export type SocketAnswer =
  { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] } | { closed: number };

/**
 * A graphql-ws connection for arbitrary operations. `run` answers the operation's first result,
 * its errors, or `{ closed: code }` when the socket closed instead; `closed` resolves with the
 * close code.
 */
export function openSocket(httpUrl: string, headers: Record<string, string>) {
  let onClosed!: (code: number) => void;
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  let onConnected!: () => void;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client = createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: headers,
    retryAttempts: 0,
    lazy: false,
    on: { connected: () => onConnected(), closed: (event) => onClosed((event as { code: number }).code) },
    onNonLazyError: () => {},
  });
  return {
    connected,
    closed,
    run: (query: string, variables: Record<string, unknown> = {}) =>
      new Promise<SocketAnswer>((resolve) => {
        client.subscribe<Record<string, unknown>>(
          { query, variables },
          {
            next: (result) => resolve(result as SocketAnswer),
            error: (error) => resolve(Array.isArray(error) ? { errors: error } : { closed: (error as { code?: number }).code ?? -1 }),
            complete: () => resolve({ data: null }),
          },
        );
      }),
    close: () => client.dispose(),
  };
}

/**
 * A GraphQL-over-SSE subscription (POST with Accept: text/event-stream) on a real HTTP response.
 * `payloads` collects each `next` event's JSON; `ended` resolves with the whole text once the
 * server completed the response.
 */
export async function subscribeSse(
  httpUrl: string,
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const controller = new AbortController();
  const response = await fetch(httpUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...headers },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  const payloads: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] }[] = [];
  let notify = () => {};
  let text = "";
  const ended = (async () => {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        text += chunk.value;
        const events = text.split("\n\n");
        payloads.length = 0;
        for (const event of events) {
          const data = /^event: next\ndata: (.+)$/m.exec(event)?.[1];
          if (data) payloads.push(JSON.parse(data));
        }
        notify();
      }
    } catch {
      // aborted by close()
    }
    return text;
  })();
  return {
    status: response.status,
    payloads,
    ended,
    /** Resolves once `n` payloads arrived; rejects after `ms`, showing what did. */
    waitFor: (n: number, ms = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${n} SSE payloads; got ${text}`)), ms);
        notify = () => {
          if (payloads.length >= n) {
            clearTimeout(timer);
            resolve();
          }
        };
        notify();
      }),
    close: () => controller.abort(),
  };
}
