import type { Db } from "../db/database.ts";
import { transact } from "../db/transact.ts";
import type { EventBus } from "../events/bus.ts";
import { serviceContext, type Actor, type RequestInfo } from "../service-context.ts";

/**
 * Records a change to a team member's own sign-in (password, authenticator app) in the audit
 * trail of every store they hold a grant in: the stores' admins see it in the team log. Each
 * store's event is its own transaction (events are per store, chained per store), after the
 * change itself. The actor is the session's credential in that store when the member made the
 * change in the console (a team action, in the team log); the system when the operator's CLI did
 * (not the member's action: data.teamMemberId names them).
 * Cost: two reads and one transaction per store.
 */
export async function recordMemberChange(
  deps: { db: Db; events: EventBus },
  change: { memberId: string; sessionId: string | null; type: string; data?: Record<string, unknown> },
  request: RequestInfo,
): Promise<void> {
  const { memberId, sessionId, type, data = {} } = change;
  const grants = await deps.db.teamGrant.findMany({ where: { memberId }, select: { tenantId: true } });
  const credentials = sessionId
    ? await deps.db.adminCredential.findMany({ where: { consoleSessionId: sessionId }, select: { id: true, tenantId: true } })
    : [];
  for (const { tenantId } of grants) {
    const credential = credentials.find((c) => c.tenantId === tenantId);
    const actor: Actor = credential ? { kind: "ADMIN", id: credential.id, teamMemberId: memberId } : { kind: "SYSTEM", id: null };
    await transact(serviceContext(deps, tenantId, actor, request), (_tx, audit) =>
      audit({ type, data: { teamMemberId: memberId, ...data } }),
    );
  }
}
