import type { ConnectorSettings, ImportLimits } from "../config.ts";
import type { Db, Sql } from "../db/database.ts";
import type { AdminPrincipal } from "../service-context.ts";
import type { CustomerPrincipal } from "../service-context.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { YogaInitialContext } from "graphql-yoga";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { EventBus } from "../events/bus.ts";
import type { AuthFailureReport, SecurityLog } from "../security/events.ts";
import type { RetryAfter } from "../security/rate-limit-plugin.ts";
import type { RequestInfo, ServiceContext } from "../service-context.ts";
import { adminActor, serviceContext } from "../service-context.ts";
import { unauthenticated } from "./auth-errors.ts";
import { requestInfo } from "./request.ts";
import { isSocketContext, type SocketContext } from "./socket-context.ts";

export interface GraphQLContext {
  db: Db;
  /** Read statements on the driver, without Prisma's client runtime (the SQL read uses it). */
  sql: Sql;
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
  /** The tenant a public customer-facing request names (X-Tenant), or null for an unknown slug. */
  tenantIdBySlug: (slug: string) => Promise<string | null>;
  /** Where scheduled exports are written (one folder per tenant) and their page size. */
  exportFiles: { dir: string; pageSize: number };
  /** Customer imports: where server-side files may be read from, how large an upload may be. */
  imports: ImportLimits;
  /** Connector settings the admin services check against (private targets, shortest retry interval). */
  connectors: ConnectorSettings;
}

/** What node's HTTP server or the WebSocket server hands yoga with each request. */
export type ServerContext = { req?: IncomingMessage; res?: ServerResponse } & Partial<SocketContext>;

type HeaderReader = (name: string) => string | null | undefined;

/** The services the context factory needs; app.ts passes the domain functions in, so graphql/ imports no domain. */
export interface ContextDeps extends Pick<
  GraphQLContext,
  "db" | "sql" | "events" | "auth" | "security" | "streamBuffer" | "tenantIdBySlug" | "exportFiles" | "imports" | "connectors"
> {
  trustProxy: boolean;
  /** X-API-Key + X-API-Secret → the admin principal, or null without them; throws UNAUTHENTICATED when wrong. */
  authenticateAdmin(header: HeaderReader, report: AuthFailureReport): Promise<AdminPrincipal | null>;
  /** Authorization: Bearer → the customer principal, or null without it; throws UNAUTHENTICATED when invalid. */
  authenticateCustomer(header: HeaderReader, report: AuthFailureReport): Promise<CustomerPrincipal | null>;
}

/**
 * Yoga's context factory: who is calling (an admin credential or a customer access token, never
 * both) and from where. WebSocket connections authenticate once at connection_init and re-check
 * the credential on each operation (see websocket.ts); they carry admin credentials only.
 * Cost: one indexed read per credential kind sent (plus token signature checks).
 */
export function createContextFactory(deps: ContextDeps) {
  return async (initial: YogaInitialContext & ServerContext): Promise<GraphQLContext> => {
    const header = (name: string) => initial.request.headers.get(name);
    const socket = isSocketContext(initial);
    const request = initial.socketRequest ?? requestInfo(initial.request, initial.req, deps.trustProxy);
    const report = { security: deps.security, request };
    const admin = socket ? initial.socketAdmin! : await deps.authenticateAdmin(header, report);
    const customer = socket ? null : await deps.authenticateCustomer(header, report);
    // One request, one principal: an admin key together with a customer token is a client bug.
    if (admin && customer) throw unauthenticated("Send either admin credentials or a customer access token, not both");
    const { db, sql, events, auth, security, streamBuffer, tenantIdBySlug, exportFiles, imports, connectors } = deps;
    const tenantSlug = socket ? null : header("x-tenant");
    return {
      db,
      sql,
      events,
      admin,
      customer,
      tenantSlug,
      auth,
      security,
      request,
      retryAfter: { seconds: null },
      streamBuffer,
      tenantIdBySlug,
      exportFiles,
      imports,
      connectors,
    };
  };
}

/** The service context of an admin request; resolvers behind the `admin` scope call this. */
export function adminService(ctx: GraphQLContext): ServiceContext {
  if (!ctx.admin) throw unauthenticated();
  return serviceContext(ctx, ctx.admin.tenantId, adminActor(ctx.admin), ctx.request);
}

/**
 * The service context of a signed-in customer's request; resolvers behind the `customer` scope
 * call this. Tenant and actor come from the verified access token, never from input.
 */
export function customerService(ctx: GraphQLContext): ServiceContext & { customerId: string; sessionId: string } {
  if (!ctx.customer) throw unauthenticated("Missing, invalid or expired access token");
  const { tenantId, customerId, sessionId, impersonatorId } = ctx.customer;
  const actor = { kind: "CUSTOMER" as const, id: customerId, impersonatorId: impersonatorId ?? null };
  return { ...serviceContext(ctx, tenantId, actor, ctx.request), customerId, sessionId };
}

/**
 * The service context of a public customer-facing request (sign-in, password reset…): the tenant
 * named by X-Tenant, the actor an as yet unknown customer. Throws VALIDATION_FAILED without the
 * header, TENANT_NOT_FOUND for an unknown slug. Cost: one indexed read.
 */
export async function publicService(ctx: GraphQLContext): Promise<ServiceContext> {
  if (ctx.customer) return customerService(ctx);
  if (!ctx.tenantSlug) throw new ValidationError([{ field: "X-Tenant", message: "send the tenant's slug in the X-Tenant header" }]);
  const tenantId = await ctx.tenantIdBySlug(ctx.tenantSlug);
  if (!tenantId) throw new NotFoundError("TENANT_NOT_FOUND");
  return serviceContext(ctx, tenantId, { kind: "CUSTOMER", id: null }, ctx.request);
}
