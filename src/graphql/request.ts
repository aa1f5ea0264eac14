import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
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
