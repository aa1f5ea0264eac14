import type { Db } from "../db/database.ts";
import type { AdminPrincipal } from "../service-context.ts";
import type { CustomerPrincipal } from "../service-context.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";
import { isUuid, NIL_UUID } from "../ids.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { EventBus } from "../events/bus.ts";
import type { SecurityLog } from "../security/events.ts";
import type { RetryAfter } from "../security/rate-limit-plugin.ts";
import type { RequestInfo, ServiceContext } from "../service-context.ts";
import { unauthenticated } from "./auth-errors.ts";

export interface GraphQLContext {
  db: Db;
  events: EventBus;
  admin: AdminPrincipal | null;
  /** A signed-in customer (Authorization: Bearer <access token>); never set together with admin. */
  customer: CustomerPrincipal | null;
  /** The public `X-Tenant: <slug>` header: which tenant a customer-facing request is for. */
  tenantSlug: string | null;
  auth: AuthRuntime;
  /** Records refusals and attacks (log line + rate-limited `security.*` audit event). */
  security: SecurityLog;
  request: RequestInfo;
  /** Set when a field of this request was rate-limited: the answer becomes HTTP 429 + Retry-After. */
  retryAfter: RetryAfter;
  /** Per-subscriber bound on live audit events waiting to be sent. */
  streamBuffer: number;
}

/** The service context of an admin request; resolvers behind the `admin` scope call this. */
export function adminService(ctx: GraphQLContext): ServiceContext {
  if (!ctx.admin) throw unauthenticated();
  return {
    db: ctx.db,
    events: ctx.events,
    tenantId: ctx.admin.tenantId,
    actor: { kind: "ADMIN", id: ctx.admin.credentialId },
    request: ctx.request,
  };
}

/**
 * The service context of a signed-in customer's request; resolvers behind the `customer` scope
 * call this. Tenant and actor come from the verified access token, never from input.
 */
export function customerService(ctx: GraphQLContext): ServiceContext & { customerId: string; sessionId: string } {
  if (!ctx.customer) throw unauthenticated("Missing, invalid or expired access token");
  return {
    db: ctx.db,
    events: ctx.events,
    tenantId: ctx.customer.tenantId,
    actor: { kind: "CUSTOMER", id: ctx.customer.customerId },
    request: ctx.request,
    customerId: ctx.customer.customerId,
    sessionId: ctx.customer.sessionId,
  };
}

/**
 * The service context of a public customer-facing request (sign-in, password reset…): the tenant
 * named by X-Tenant, the actor an as yet unknown customer. Throws VALIDATION_FAILED without the
 * header, TENANT_NOT_FOUND for an unknown slug. Cost: one indexed read.
 */
export async function publicService(ctx: GraphQLContext): Promise<ServiceContext> {
  if (ctx.customer) return customerService(ctx);
  if (!ctx.tenantSlug) throw new ValidationError([{ field: "X-Tenant", message: "send the tenant's slug in the X-Tenant header" }]);
  const tenant = await ctx.db.tenant.findUnique({ where: { slug: ctx.tenantSlug.trim().toLowerCase() }, select: { id: true } });
  if (!tenant) throw new NotFoundError("TENANT_NOT_FOUND");
  return { db: ctx.db, events: ctx.events, tenantId: tenant.id, actor: { kind: "CUSTOMER", id: null }, request: ctx.request };
}

/**
 * Whose rows node() and Pothos's fallback loads may return: the admin's tenant, or for a
 * customer only their own rows of their tenant. Anonymous callers get nothing.
 */
export function nodeOwner(ctx: GraphQLContext): { tenantId: string; customerId?: string } {
  if (ctx.admin) return { tenantId: ctx.admin.tenantId };
  if (ctx.customer) return { tenantId: ctx.customer.tenantId, customerId: ctx.customer.customerId };
  return { tenantId: NIL_UUID, customerId: NIL_UUID };
}

/**
 * node(id) lookup for a customer-owned row: (id, tenant) for an admin, and additionally the
 * customer for a customer token. A malformed id finds nothing instead of failing in SQL.
 */
export function ownedRowWhere(id: string, ctx: GraphQLContext) {
  const owner = nodeOwner(ctx);
  return { id_tenantId: { id: isUuid(id) ? id : NIL_UUID, tenantId: owner.tenantId }, customerId: owner.customerId };
}

/** node(id) lookup for an admin-only row (credentials, audit events): (id, admin's tenant). */
export function adminRowWhere(id: string, ctx: GraphQLContext) {
  return { id_tenantId: { id: isUuid(id) ? id : NIL_UUID, tenantId: ctx.admin?.tenantId ?? NIL_UUID } };
}
