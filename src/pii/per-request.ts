import type { Db } from "../db/database.ts";
import { sealedKeyId, tenantPii, type TenantPii } from "./at-rest.ts";

// Field resolvers that open sealed PII stay synchronous once a request holds the tenant's keys: the
// SQL read (src/graphql/sql-read/) completes rows synchronously and sends a document whose resolver
// returns a promise back to the normal path for good. It loads the keys before completing rows that
// hold sealed values; the normal path pays a promise on the first field only.

const byRequest = new WeakMap<object, Map<string, TenantPii | null>>();

/**
 * The tenant's PII keys for this request (null without a MASTER_KEY): the value itself once loaded
 * for the request, a promise the first time (or when `sealed` names a key version not loaded).
 * Cost: tenantPii's (one statement per tenant a minute), once per request.
 */
export function requestPii(request: object, db: Db, tenantId: string, sealed: string[] = []): TenantPii | null | Promise<TenantPii | null> {
  const loaded = byRequest.get(request)?.get(tenantId);
  if (loaded === null || (loaded && sealed.every((s) => loaded.hasKey(sealedKeyId(s))))) return loaded;
  return tenantPii(db, db, tenantId, sealed).then((pii) => {
    let tenants = byRequest.get(request);
    if (!tenants) byRequest.set(request, (tenants = new Map()));
    tenants.set(tenantId, pii);
    return pii;
  });
}

/** `open` with the request's keys (requestPii): synchronously once the request holds them, else after loading them. */
export function withRequestPii<T>(
  request: { db: Db },
  tenantId: string,
  sealed: string[],
  open: (pii: TenantPii | null) => T,
): T | Promise<T> {
  const pii = requestPii(request, request.db, tenantId, sealed);
  return pii instanceof Promise ? pii.then(open) : open(pii);
}
