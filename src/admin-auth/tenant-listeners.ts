import type { AuditListener, EventBus } from "../events/bus.ts";

/**
 * One bus listener per tenant that has credentials in use on this node (credentials of a tenant
 * are revoked in its audit stream). Counted: `add` once per credential tracked, `release` once per
 * credential forgotten; the listener stops when the count reaches 0.
 */
export function tenantListeners(events: EventBus, onAuditEvent: AuditListener) {
  const byTenant = new Map<string, { stop: () => void; credentials: number }>();
  return {
    add(tenantId: string) {
      const listener = byTenant.get(tenantId);
      if (listener) listener.credentials++;
      else byTenant.set(tenantId, { stop: events.listen(tenantId, onAuditEvent), credentials: 1 });
    },
    release(tenantId: string) {
      const listener = byTenant.get(tenantId)!;
      if (--listener.credentials === 0) {
        listener.stop();
        byTenant.delete(tenantId);
      }
    },
    stopAll() {
      for (const listener of byTenant.values()) listener.stop();
      byTenant.clear();
    },
  };
}
