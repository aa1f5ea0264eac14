import type { CustomerPrincipal } from "../service-context.ts";
import type { Db } from "../db/database.ts";
import type { AuthFailureReport } from "../security/events.ts";
import { effectiveStatus } from "../customers/status.ts";
import { isUuid } from "../ids.ts";
import { unauthenticated } from "../graphql/auth-errors.ts";
import { isActive } from "../sessions/service.ts";
import { verifyAccessToken } from "./access-tokens.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";

const BEARER = /^Bearer\s+([A-Za-z0-9_.-]+)\s*$/i;

/**
 * Reads `Authorization: Bearer <access token>`. No header: null (public fields still work). A
 * token that is malformed, badly signed, expired, or whose session was revoked or has expired, or
 * whose customer is blocked or disabled, fails the whole request with 401 — the token stops
 * working the moment its session ends, not when it expires. Each refusal is reported as
 * `admin_auth_failed` with scheme "bearer" (to the token's tenant when its signature checked
 * out; never the token). Failed sign-ins do not end sessions: only revocation, expiry and an
 * admin block or disable do.
 * Cost: one signature check and one indexed read (session by primary key, joined to its customer).
 */
export async function customerFromHeaders(
  db: Db,
  auth: AuthRuntime,
  get: (name: string) => string | null | undefined,
  report: AuthFailureReport,
): Promise<CustomerPrincipal | null> {
  const header = get("authorization");
  if (!header) return null;
  const fail = (reason: string, tenantId: string | null = null) => {
    report.security.record({
      kind: "admin_auth_failed",
      tenantId,
      subject: `bearer:${report.request.ip ?? "-"}`,
      request: report.request,
      data: { scheme: "bearer", reason },
    });
    return unauthenticated("Missing, invalid or expired access token");
  };
  const token = BEARER.exec(header)?.[1];
  if (!token) throw fail("malformed");
  const claims = await verifyAccessToken(auth, token);
  if (!claims || !isUuid(claims.sid) || !isUuid(claims.tenant)) throw fail("invalid_or_expired");
  const session = await db.session.findUnique({
    where: { id_tenantId: { id: claims.sid, tenantId: claims.tenant } },
    select: {
      customerId: true,
      revokedAt: true,
      expiresAt: true,
      idleExpiresAt: true,
      customer: { select: { status: true, blockedUntil: true } },
    },
  });
  if (!session || session.customerId !== claims.sub || !isActive(session)) throw fail("session_ended", claims.tenant);
  if (effectiveStatus(session.customer) !== "ACTIVE") throw fail("customer_not_active", claims.tenant);
  return { tenantId: claims.tenant, customerId: claims.sub, sessionId: claims.sid, scopes: claims.scope.split(" ") };
}
