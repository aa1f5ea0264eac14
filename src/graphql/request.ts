import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { GraphQLError } from "graphql";
import type { RequestInfo } from "../service-context.ts";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Who sent a request, for the audit trail. X-Forwarded-For is believed only with `trustProxy`
 * (the gateway sits behind a proxy that sets it); otherwise any client could forge its IP.
 */
export function requestInfo(request: Request, req: IncomingMessage | undefined, trustProxy: boolean): RequestInfo {
  const forwarded = trustProxy ? request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() : undefined;
  const given = request.headers.get("x-request-id");
  return {
    ip: forwarded || req?.socket.remoteAddress || null,
    userAgent: request.headers.get("user-agent"),
    requestId: given && REQUEST_ID.test(given) ? given : randomUUID(),
  };
}

/** Request headers a browser on an allowed origin may send; nothing else is exposed back. */
const CORS_REQUEST_HEADERS = ["content-type", "accept", "authorization", "x-api-key", "x-api-secret", "x-tenant", "x-request-id"];

/**
 * yoga's CORS options from the CORS_ORIGINS allow-list. An origin not on it (and any origin when
 * the list is empty) gets no CORS headers at all, so browsers keep the response from the page.
 * Credentials (cookies) are never allowed: the gateway authenticates by headers only.
 */
export function corsFromAllowList(origins: string[]) {
  return (request: Request) => {
    const origin = request.headers.get("origin");
    if (!origin || !origins.includes(origin)) return false as const;
    return { origin: [origin], credentials: false, methods: ["GET", "POST"], allowedHeaders: CORS_REQUEST_HEADERS, maxAge: 600 };
  };
}

/**
 * GET requests carry `variables` and `extensions` as JSON in the query string; yoga parses them
 * unguarded, so malformed ones would surface as a 500. Checked here first: a 400 BAD_REQUEST.
 */
export const checkGetParams = {
  onRequestParse({ request, url }: { request: Request; url: URL }) {
    if (request.method !== "GET") return;
    for (const name of ["variables", "extensions"]) {
      const text = url.searchParams.get(name);
      if (!text) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new GraphQLError(`The ${name} parameter must be a JSON object`, {
          extensions: { code: "BAD_REQUEST", http: { status: 400 } },
        });
      }
    }
  },
};

const tooLarge = () => new GraphQLError("Request body too large", { extensions: { code: "PAYLOAD_TOO_LARGE", http: { status: 413 } } });
const CONTENT_LENGTH = /^\d+$/;

/**
 * MAX_BODY_BYTES, in place of yoga's `maxRequestBodySize`, which pipes every body through a
 * TransformStream into a second Request — measured: a trivial query ran 4–6× slower through yoga
 * with it than without. A body that announces its length is checked by the header alone: Node's
 * HTTP parser then reads exactly that many bytes (and refuses Content-Length together with
 * Transfer-Encoding). Only a body without one (chunked, or an in-process Request) is counted as
 * it streams, and cut off past the limit. A GraphQL multipart request (a file upload) may be as
 * large as `uploadLimit` instead: @whatwg-node buffers its files in memory while it parses them.
 */
export function bodySizeLimit(bodyLimit: number, uploadLimit = bodyLimit) {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }: BodyParseHook) {
      const multipart = request.headers.get("content-type")?.toLowerCase().startsWith("multipart/form-data") ?? false;
      const limit = multipart ? uploadLimit : bodyLimit;
      const length = request.headers.get("content-length");
      if (length !== null) {
        if (!CONTENT_LENGTH.test(length)) {
          throw new GraphQLError("Content-Length header is invalid", { extensions: { code: "BAD_REQUEST", http: { status: 400 } } });
        }
        if (Number(length) > limit) throw tooLarge();
        return;
      }
      if (!requestParser || !request.body) return;
      setRequestParser((req) =>
        requestParser(new fetchAPI.Request(req.url, { ...requestInit(req), body: counted(req.body!, limit, fetchAPI) })),
      );
    },
  };
}

type Parser = (request: Request) => unknown;
interface BodyParseHook {
  request: Request;
  requestParser?: Parser;
  setRequestParser(parser: Parser): void;
  fetchAPI: { Request: typeof Request; TransformStream: typeof TransformStream };
}

const requestInit = (req: Request) => ({ method: req.method, headers: req.headers, signal: req.signal, duplex: "half" as const });

/**
 * The body stream, failing with 413 once more than `limit` bytes went through. The transform must
 * come from the same implementation as the body (Node's own streams or @whatwg-node's).
 */
function counted(body: ReadableStream<Uint8Array>, limit: number, fetchAPI: BodyParseHook["fetchAPI"]): ReadableStream<Uint8Array> {
  const Transform = body instanceof ReadableStream ? TransformStream : fetchAPI.TransformStream;
  let seen = 0;
  return body.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * The body as UTF-8 text, or null past `limit` bytes: a declared Content-Length is checked before
 * reading (Node's parser then delivers exactly that many bytes), a chunked body is counted as it
 * streams and dropped at the first byte over.
 */
export async function readLimited(request: Request, limit: number): Promise<string | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return null;
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
