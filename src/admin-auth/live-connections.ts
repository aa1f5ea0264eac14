import type { Db } from "../db/database.ts";
import type { EventBus } from "../events/bus.ts";
import type { Logger } from "../logger.ts";
import type { SecurityLog } from "../security/events.ts";
import { NO_REQUEST } from "../service-context.ts";
import type { LiveConnections, Transport } from "../graphql/live-connections.ts";
import { tenantListeners } from "./tenant-listeners.ts";

/**
 * How long a revoked admin credential can keep a live connection (graphql-ws socket or SSE stream)
 * open, or keep running operations on one, at most. Revocations normally arrive over the event
 * bus within milliseconds; this bound is what holds when the bus dropped the message.
 */
export const REVOCATION_BOUND_MS = 5_000;

// The periodic re-check runs a second inside the bound, so its own query (and a busy event loop)
// still fits. Cost: one indexed query per node per interval, and only while connections are open.
const RECHECK_INTERVAL_MS = REVOCATION_BOUND_MS - 1_000;

interface Tracked {
  tenantId: string;
  keyId: string;
  /** When the credential was last seen unrevoked in the database (ms since epoch). */
  verifiedAt: number;
  connections: Set<{ transport: Transport; close: () => void }>;
}

interface Deps {
  db: Db;
  events: EventBus;
  security: SecurityLog;
  logger: Logger;
}

export function createLiveConnections({ db, events, security, logger }: Deps): LiveConnections {
  const byCredential = new Map<string, Tracked>();
  const listeners = tenantListeners(events, (event) => {
    if (event.type !== "credential.revoked") return;
    const credentialId = (event.data as { credentialId?: unknown }).credentialId;
    if (typeof credentialId === "string") closeAll(credentialId);
  });

  function forget(credentialId: string) {
    const tracked = byCredential.get(credentialId);
    if (!tracked) return;
    byCredential.delete(credentialId);
    listeners.release(tracked.tenantId);
  }

  /** Closes every connection of a revoked credential and records it in the security log. */
  function closeAll(credentialId: string) {
    const tracked = byCredential.get(credentialId);
    if (!tracked) return;
    forget(credentialId);
    closeConnections(credentialId, tracked, { security, logger });
  }

  const stopRechecks = scheduleRechecks(() => recheck(db, byCredential, closeAll), events, logger);

  return {
    track(admin, transport, close) {
      let tracked = byCredential.get(admin.credentialId);
      if (!tracked) {
        // Authenticated just now by the caller; a revocation committed in between is caught by
        // the next re-check, within the bound.
        tracked = { tenantId: admin.tenantId, keyId: admin.keyId, verifiedAt: Date.now(), connections: new Set() };
        byCredential.set(admin.credentialId, tracked);
        listeners.add(admin.tenantId);
      }
      const connection = { transport, close };
      tracked.connections.add(connection);
      const own = tracked;
      return () => {
        own.connections.delete(connection);
        if (own.connections.size === 0 && byCredential.get(admin.credentialId) === own) forget(admin.credentialId);
      };
    },
    async stillValid(admin) {
      const tracked = byCredential.get(admin.credentialId);
      if (tracked && Date.now() - tracked.verifiedAt < REVOCATION_BOUND_MS) return true;
      const startedAt = Date.now();
      const row = await db.adminCredential.findUnique({ where: { id: admin.credentialId }, select: { revokedAt: true } });
      if (row && !row.revokedAt) {
        if (tracked) tracked.verifiedAt = Math.max(tracked.verifiedAt, startedAt);
        return true;
      }
      // On the next turn, so that the caller can still answer the operation that asked.
      setImmediate(() => closeAll(admin.credentialId));
      return false;
    },
    counts() {
      const counts = { websocket: 0, sse: 0 };
      for (const tracked of byCredential.values()) for (const connection of tracked.connections) counts[connection.transport]++;
      return counts;
    },
    close() {
      stopRechecks();
      listeners.stopAll();
      byCredential.clear();
    },
  };
}

/** Closes the connections of a revoked credential (already forgotten) and records one security event per transport. */
function closeConnections(credentialId: string, tracked: Tracked, { security, logger }: Pick<Deps, "security" | "logger">) {
  const counts = new Map<Transport, number>();
  for (const connection of tracked.connections) {
    counts.set(connection.transport, (counts.get(connection.transport) ?? 0) + 1);
    try {
      connection.close();
    } catch (error) {
      logger.error({ err: error, credentialId }, "could not close a revoked credential's connection");
    }
  }
  for (const [transport, count] of counts) {
    security.record({
      kind: "connection_closed",
      tenantId: tracked.tenantId,
      // Per transport, so that the rate-limited audit summary records each one.
      subject: `${credentialId}:${transport}`,
      actor: { kind: "SYSTEM", id: null },
      request: NO_REQUEST,
      data: { reason: "credential revoked", credentialId, keyId: tracked.keyId, transport, count },
    });
  }
}

/**
 * The bus is at-most-once (a Redis reconnect drops what was published meanwhile), so every
 * credential with open connections is re-read here: one query for all of them.
 */
async function recheck(db: Db, byCredential: Map<string, Tracked>, closeAll: (credentialId: string) => void) {
  const ids = [...byCredential.keys()];
  if (ids.length === 0) return;
  const startedAt = Date.now();
  const valid = await db.adminCredential.findMany({ where: { id: { in: ids }, revokedAt: null }, select: { id: true } });
  const stillValid = new Set(valid.map((row) => row.id));
  for (const id of ids) {
    const tracked = byCredential.get(id);
    if (!tracked) continue;
    if (stillValid.has(id)) tracked.verifiedAt = Math.max(tracked.verifiedAt, startedAt);
    else closeAll(id);
  }
}

/**
 * Runs `recheck` every RECHECK_INTERVAL_MS and whenever the bus may have lost messages, one run at
 * a time (a run asked for while one is under way joins it). Returns the function that stops it.
 */
function scheduleRechecks(recheck: () => Promise<void>, events: EventBus, logger: Logger): () => void {
  let running: Promise<void> | undefined;
  const recheckNow = () => {
    running ??= recheck()
      .catch((error: unknown) => logger.error({ err: error }, "could not re-check the credentials of live connections"))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(recheckNow, RECHECK_INTERVAL_MS);
  // The timer alone must not keep a process (CLI, tests) alive.
  timer.unref();
  const stopWatchingLoss = events.onMaybeLost(() => void recheckNow());
  return () => {
    clearInterval(timer);
    stopWatchingLoss();
  };
}
