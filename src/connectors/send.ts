import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { liveSecrets, signatureHeaders } from "./secrets.ts";
import { guardedLookup, targetUrlProblem } from "./targets.ts";

// One delivery attempt on the wire: a JSON POST with node:http(s) (no dependency: the request is
// one POST; what matters is the connect-time SSRF lookup, the whole-request timeout and the
// response cap, all of which node:http exposes directly). Redirects are not followed (a 3xx is a
// failed attempt): a redirect would let a public target point the gateway at a private one.

/** The most response body read; the rest is discarded (the connection is closed). */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** The part of the response kept in the delivery log. */
export const EXCERPT_BYTES = 1024;
export const USER_AGENT = "identity-gateway-connectors/1 (+https://www.standardwebhooks.com)";

export interface SendTarget {
  connectorId: string;
  url: string;
  /** Extra request headers; the signature, content type and user agent are always the gateway's. */
  headers: Record<string, string>;
  timeoutMs: number;
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretExpiresAt: Date | null;
}

export interface SendResult {
  ok: boolean;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
  /** What post-event logic reads (successful attempts). */
  response: { status: number; headers: IncomingHttpHeaders; text: string } | null;
}

/**
 * POSTs `body` (JSON text) to the connector's URL, signed per Standard Webhooks with every live
 * secret of the connector under `webhookId` (the delivery id: the same on every retry). 2xx is
 * delivered; anything else, a refused target, a network error or the timeout (which covers
 * connecting, sending and reading the response) is a failed attempt with its reason. Never throws.
 */
export async function sendDelivery(
  target: SendTarget,
  webhookId: string,
  body: string,
  options: { masterKey: Buffer; allowPrivateTargets: boolean; signal?: AbortSignal },
): Promise<SendResult> {
  const startedAt = new Date();
  const result = (fields: Partial<SendResult>): SendResult => ({
    ok: false,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    statusCode: null,
    error: null,
    responseExcerpt: null,
    response: null,
    ...fields,
  });
  // Literal addresses never reach the lookup: the saved-URL check runs again at send time.
  const problem = targetUrlProblem(target.url, options.allowPrivateTargets);
  if (problem) return result({ error: `refused: the target URL ${problem}` });
  const headers = {
    ...Object.fromEntries(Object.entries(target.headers).map(([name, value]) => [name, String(value)])),
    ...signatureHeaders(liveSecrets(options.masterKey, { ...target, id: target.connectorId }), webhookId, startedAt, body),
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    "content-length": String(Buffer.byteLength(body)),
  };
  try {
    const response = await post(target.url, headers, body, target.timeoutMs, options);
    const ok = response.status >= 200 && response.status < 300;
    return result({
      ok,
      statusCode: response.status,
      error: ok ? null : `HTTP ${response.status}`,
      responseExcerpt: excerpt(response.text),
      response,
    });
  } catch (error) {
    return result({ error: error instanceof Error ? error.message : String(error) });
  }
}

function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  options: { allowPrivateTargets: boolean; signal?: AbortSignal },
): Promise<NonNullable<SendResult["response"]>> {
  const send = url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: "POST", headers, lookup: guardedLookup(options.allowPrivateTargets), signal: options.signal });
    // The first outcome settles the promise: a timeout wins over the socket errors it causes.
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
      req.destroy();
    };
    const timer = setTimeout(() => fail(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on("error", fail);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") });
      };
      res.on("data", (chunk: Buffer) => {
        chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
        size += chunk.length;
        if (size >= MAX_RESPONSE_BYTES) {
          done();
          req.destroy(); // the rest is not read: the connection cannot be reused
        }
      });
      res.on("end", done);
      res.on("error", fail);
    });
    req.end(body);
  });
}

/** The first EXCERPT_BYTES of the response (cut at a character boundary), or null when it is empty. */
function excerpt(text: string): string | null {
  if (text.length === 0) return null;
  const bytes = Buffer.from(text, "utf8");
  return bytes.length <= EXCERPT_BYTES ? text : new TextDecoder().decode(bytes.subarray(0, EXCERPT_BYTES)).replace(/\uFFFD$/, "");
}
