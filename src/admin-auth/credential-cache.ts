import { LRUCache } from "lru-cache";
import type { Db } from "../db/database.ts";
import type { EventBus } from "../events/bus.ts";
import type { AdminPrincipal } from "../service-context.ts";
import { secretMatches } from "../security/tokens.ts";
import { tenantListeners } from "./tenant-listeners.ts";
import { authenticateApiKey, type VerifiedCredential } from "./service.ts";

/** Checks an API key id + secret: the principal, or null (unknown key, wrong secret, revoked). */
export type AuthenticateApiKey = (keyId: string, secret: string) => Promise<AdminPrincipal | null>;

export interface CredentialCache {
  authenticate: AuthenticateApiKey;
  close(): void;
}

// Bounds memory whatever the number of keys in use; a key beyond it is simply read again.
const MAX_ENTRIES = 10_000;

/**
 * Admin credentials verified in the last `ttlMs`, by key id, so that a client sending many
 * requests with one key costs one credential read per interval instead of one per request (the
 * read was a third of the statements of a simple query). The secret is still checked on every
 * request, against the cached hash. A revocation evicts the entry on every node when its audit
 * event (`credential.revoked`) arrives over the event bus, normally within milliseconds; when the
 * bus dropped it, a revoked key works at most `ttlMs` longer. The security issue allows a few
 * seconds on open sockets; the default here is 1 s. `ttlMs` 0 turns the cache off.
 */
export function createCredentialCache(db: Db, events: EventBus, ttlMs: number): CredentialCache {
  if (ttlMs === 0)
    return { authenticate: async (keyId, secret) => (await authenticateApiKey(db, keyId, secret))?.principal ?? null, close() {} };
  // Counts revocations seen: a read that overlapped one is not cached (it may predate the commit).
  let revocations = 0;
  const listeners = tenantListeners(events, (event) => {
    if (event.type !== "credential.revoked") return;
    revocations++;
    const keyId = (event.data as { keyId?: unknown }).keyId;
    if (typeof keyId === "string") cache.delete(keyId);
  });
  const cache = new LRUCache<string, VerifiedCredential>({
    max: MAX_ENTRIES,
    ttl: ttlMs,
    // Expired entries go on time, so their tenant's bus listener is released too.
    ttlAutopurge: true,
    dispose: (entry) => listeners.release(entry.principal.tenantId),
  });
  // A Redis reconnect may have swallowed a revocation: forget everything rather than wait for the TTL.
  const stopWatchingLoss = events.onMaybeLost(() => {
    revocations++;
    cache.clear();
  });
  return {
    async authenticate(keyId, secret) {
      const cached = cache.get(keyId);
      if (cached) return secretMatches(secret, cached.secretHash) ? cached.principal : null;
      const seen = revocations;
      const verified = await authenticateApiKey(db, keyId, secret);
      if (!verified) return null;
      // The tenant's listener starts before the entry exists, and the entry is kept only if no
      // revocation arrived while the read ran; so none can slip between the read and the cache.
      listeners.add(verified.principal.tenantId);
      if (revocations === seen) cache.set(keyId, verified);
      else listeners.release(verified.principal.tenantId);
      return verified.principal;
    },
    close() {
      stopWatchingLoss();
      cache.clear();
      listeners.stopAll();
    },
  };
}
