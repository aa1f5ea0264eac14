import type { ActorKind, AdminScope } from "./generated/prisma/enums.ts";
import type { Db } from "./db/database.ts";
import type { EventBus } from "./events/bus.ts";

/** An admin request's verified API key: its tenant, credential and scopes. */
export interface AdminPrincipal {
  tenantId: string;
  credentialId: string;
  keyId: string;
  scopes: AdminScope[];
  /** Set when the credential is a console session's (src/team/): the team member acting. */
  teamMemberId?: string | null;
}

/** A signed-in customer, from a verified access token whose session is live. */
export interface CustomerPrincipal {
  tenantId: string;
  customerId: string;
  sessionId: string;
  scopes: string[];
  /** Set when an admin impersonates the customer: the admin credential's row id (the session's impersonator). */
  impersonatorId?: string | null;
}

/** Who is acting: recorded on every audit event. */
export interface Actor {
  kind: ActorKind;
  id: string | null;
  /** An admin credential acting as this customer (impersonation): recorded beside the actor on every audit event. */
  impersonatorId?: string | null;
  /** The team member whose console session acts through the admin credential `id`. */
  teamMemberId?: string | null;
}

/** The actor of an admin request: its credential, and the team member behind a console session's. */
export const adminActor = (admin: AdminPrincipal): Actor => ({
  kind: "ADMIN",
  id: admin.credentialId,
  teamMemberId: admin.teamMemberId ?? null,
});

/** Where a request came from: recorded on every audit event. */
export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/**
 * Everything a service function needs, and nothing about GraphQL. The tenant always comes from
 * the caller's credential (or the CLI's explicit choice), never from request input.
 */
export interface ServiceContext {
  db: Db;
  events: EventBus;
  tenantId: string;
  actor: Actor;
  request: RequestInfo;
}

export const NO_REQUEST: RequestInfo = { ip: null, userAgent: null, requestId: null };

/**
 * The one way to build a ServiceContext: `who` acts on `tenantId`, from `request` (none for the
 * CLI and background work). `deps` is anything holding the database and the event bus.
 */
export function serviceContext(
  deps: { db: Db; events: EventBus },
  tenantId: string,
  who: Actor,
  request: RequestInfo = NO_REQUEST,
): ServiceContext {
  return { db: deps.db, events: deps.events, tenantId, actor: who, request };
}

/** The same request, recorded as acting for someone else (the customer a sign-in turned out to be). */
export const actingAs = <T extends ServiceContext>(ctx: T, who: Actor): T => ({ ...ctx, actor: who });
