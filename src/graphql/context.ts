import type { Db } from "../db/database.ts";
import type { AdminPrincipal } from "../admin-auth/service.ts";
import type { EventBus } from "../events/bus.ts";
import type { RequestInfo, ServiceContext } from "../service-context.ts";
import { unauthenticated } from "./auth-errors.ts";

export interface GraphQLContext {
  db: Db;
  events: EventBus;
  admin: AdminPrincipal | null;
  request: RequestInfo;
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
