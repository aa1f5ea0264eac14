import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

// A real webhook receiver on a free local port, as a connector's third party runs one: it
// verifies each request's Standard Webhooks signature with the `standardwebhooks` library against
// the secrets it was given, records what arrived, and answers as the test says.

export interface Received {
  webhookId: string;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  raw: string;
  headers: IncomingHttpHeaders;
  /** The secrets (of `receiver.secrets`) the signature verified with. */
  verifiedWith: string[];
  /** Date.now() when the request arrived. */
  at: number;
}

export interface Reply {
  status?: number;
  body?: unknown;
  /** Answer after this long (ms). */
  delayMs?: number;
  /** Never answer (the gateway's timeout ends the request). */
  hang?: boolean;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Secrets the signatures are verified with (set them once the connector exists). */
  secrets: string[];
  /** The requests that carried this webhook-id. */
  withId(id: string): Received[];
  close(): Promise<void>;
}

/** Starts a receiver; `respond` sees each request (with how many arrived before it) and says what to answer (default 200 `{}`). */
export async function startReceiver(respond: (request: Received, index: number) => Reply = () => ({})): Promise<Receiver> {
  const received: Received[] = [];
  const receiver: Receiver = {
    url: "",
    received,
    secrets: [],
    withId: (id) => received.filter((r) => r.webhookId === id),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const headers = req.headers;
      const entry: Received = {
        webhookId: String(headers["webhook-id"]),
        body: JSON.parse(raw) as Record<string, unknown>,
        raw,
        headers,
        verifiedWith: receiver.secrets.filter((secret) => verifies(secret, raw, headers)),
        at: Date.now(),
      };
      const reply = respond(entry, received.length);
      received.push(entry);
      if (reply.hang) return;
      setTimeout(() => answer(res, reply), reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

function verifies(secret: string, raw: string, headers: IncomingHttpHeaders): boolean {
  try {
    new Webhook(secret).verify(raw, headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

function answer(res: ServerResponse, reply: Reply) {
  if (res.destroyed) return;
  res.writeHead(reply.status ?? 200, { "content-type": "application/json" });
  res.end(JSON.stringify(reply.body ?? {}));
}
