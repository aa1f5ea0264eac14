import type { App } from "../../src/app.ts";

export interface RawAnswer {
  status: number;
  headers: Headers;
  /** The JSON body, or null when the answer had none or was not JSON. */
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
  ms: number;
}

/**
 * One hand-made HTTP request to the gateway's handler: a POST of `body` (a string is sent as is,
 * anything else as JSON), or a GET with `search` parameters. For requests typed documents cannot
 * express: broken JSON, oversized bodies, malformed GET parameters, bombs.
 */
export async function raw(
  app: App,
  req: { body?: unknown; search?: Record<string, string>; method?: string; headers?: Record<string, string> },
): Promise<RawAnswer> {
  const method = req.method ?? (req.search ? "GET" : "POST");
  const url = new URL("http://gateway.test/graphql");
  for (const [k, v] of Object.entries(req.search ?? {})) url.searchParams.set(k, v);
  const started = performance.now();
  const response = await app.yoga.fetch(url.toString(), {
    method,
    headers: { "content-type": "application/json", accept: "application/json", ...req.headers },
    body: method === "GET" || method === "OPTIONS" ? undefined : typeof req.body === "string" ? req.body : JSON.stringify(req.body),
  });
  return answerOf(response, await response.text(), started);
}

/** A response as a RawAnswer: `text` is its JSON body (or an SSE event's data), `started` when it was sent. */
export function answerOf(response: Response, text: string | undefined, started: number): RawAnswer {
  let body: RawAnswer["body"];
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: response.status, headers: response.headers, body, ms: performance.now() - started };
}
