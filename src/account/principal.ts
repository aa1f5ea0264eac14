import type { CustomerPrincipal } from "../service-context.ts";
import type { CustomerStatus } from "../generated/prisma/enums.ts";
import type { Sql } from "../db/database.ts";
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
 * Cost: one signature check and one indexed read (session by primary key, joined to its customer),
 * run on the driver without Prisma's client runtime, which costs more than the read itself.
 */
export async function customerFromHeaders(
  sql: Sql,
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
  const session = await activeSessionOf(sql, claims.sid, claims.tenant);
  if (!session || session.customerId !== claims.sub || !isActive(session)) throw fail("session_ended", claims.tenant);
  if (effectiveStatus(session.customer) !== "ACTIVE") throw fail("customer_not_active", claims.tenant);
  return {
    tenantId: claims.tenant,
    customerId: claims.sub,
    sessionId: claims.sid,
    scopes: claims.scope.split(" "),
    // The session row, not the token's `act` claim, says who impersonates: it is what revocation ends.
    impersonatorId: session.impersonatorId,
  };
}

const SESSION_WITH_CUSTOMER = `
  SELECT s.customer_id, s.revoked_at, s.expires_at, s.idle_expires_at, s.impersonator_id, c.status, c.blocked_until
  FROM session s JOIN customer c ON c.id = s.customer_id AND c.tenant_id = s.tenant_id
  WHERE s.id = $1::uuid AND s.tenant_id = $2::uuid`;

/** The session of an access token with its customer's status, as `isActive` and `effectiveStatus` read them. */
async function activeSessionOf(sql: Sql, sessionId: string, tenantId: string) {
  const [row] = await sql(SESSION_WITH_CUSTOMER, [sessionId, tenantId]);
  if (!row) return null;
  const at = (value: unknown) => (value === null ? null : new Date(value as string));
  return {
    customerId: row.customer_id as string,
    revokedAt: at(row.revoked_at),
    expiresAt: at(row.expires_at)!,
    idleExpiresAt: at(row.idle_expires_at),
    impersonatorId: (row.impersonator_id as string | null) ?? null,
    customer: { status: row.status as CustomerStatus, blockedUntil: at(row.blocked_until) },
  };
}
