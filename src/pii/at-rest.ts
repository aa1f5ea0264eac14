import { createHmac, hkdfSync } from "node:crypto";
import type { Db } from "../db/database.ts";
import { decrypt, encrypt } from "../signing-keys/encryption.ts";
import { dataKeyAad, keyringOf, type DataKey, type Keyring, type Queryable } from "./keyring.ts";

// PII fields at rest (README "PII encryption and erasure"): a value is sealed under the tenant's
// newest data key as `<data key id>.<AES-256-GCM>` (the key id lets any version open it after a
// rotation), bound by associated data to the tenant and to what it is (`phone`, `customer:<id>`),
// so a value copied onto another row or tenant does not open. Exact match works through a blind
// index: HMAC-SHA256 under an index key derived (HKDF) from the tenant's first data key, which a
// rotation re-wraps but never changes — so an index written before a rotation still matches.
// The index reveals which rows hold equal values (what exact search needs), nothing else.

/** What a sealed phone number is bound to (customers/phones-at-rest.ts seals them; export tokens open them). */
export const PHONE_SCOPE = "phone";

/** Prefix of a blind index stored where clear text used to be (contact.normalized): never a valid phone or email. */
export const BLIND_INDEX_PREFIX = "bi:";

/** A tenant's data keys, opened: what sealing, opening and indexing need, all synchronous. */
export class TenantPii {
  constructor(
    readonly tenantId: string,
    private readonly newest: DataKey,
    private readonly keys: ReadonlyMap<string, DataKey>,
    private readonly indexKey: Buffer,
  ) {}

  seal(value: unknown, scope: string): string {
    const plain = Buffer.from(JSON.stringify(value), "utf8");
    return `${this.newest.id}.${encrypt(this.newest.key, plain, this.aad(scope))}`;
  }

  /** The value `seal` was given; throws when the data key is unknown or the scope or bytes differ. */
  open(sealed: string, scope: string): unknown {
    const dot = sealed.indexOf(".");
    const key = this.keys.get(sealed.slice(0, dot));
    if (!key) throw new Error(`PII sealed under an unknown data key (tenant ${this.tenantId})`);
    return JSON.parse(decrypt(key.key, sealed.slice(dot + 1), this.aad(scope)).toString("utf8"));
  }

  /** The blind index of `value` (already normalized: E.164, a JSON text) under `scope`. */
  index(value: string, scope: string): string {
    return BLIND_INDEX_PREFIX + createHmac("sha256", this.indexKey).update(`${scope}\0${value}`).digest("base64url");
  }

  hasKey(id: string): boolean {
    return this.keys.has(id);
  }

  private aad(scope: string) {
    return `pii:${this.tenantId}:${scope}`;
  }
}

/** The data key id of a sealed value (what must be loaded to open it). */
export const sealedKeyId = (sealed: string) => sealed.slice(0, sealed.indexOf("."));

/** How long a node keeps a tenant's opened keys before looking for a newer version (as keyring.ts). */
const TENANT_KEYS_TTL_MS = 60_000;
const cache = new WeakMap<Keyring, Map<string, { pii: TenantPii; until: number }>>();

function cacheOf(keyring: Keyring) {
  let byTenant = cache.get(keyring);
  if (!byTenant) cache.set(keyring, (byTenant = new Map()));
  return byTenant;
}

/** The tenant's keys when this process holds them fresh and they open every one of `sealed`; else undefined. */
function cachedTenantPii(db: Db, tenantId: string, sealed: Iterable<string> = []): TenantPii | undefined {
  const keyring = keyringOf(db);
  const hit = keyring ? cacheOf(keyring).get(tenantId) : undefined;
  if (!hit || hit.until <= Date.now()) return undefined;
  for (const s of sealed) if (!hit.pii.hasKey(sealedKeyId(s))) return undefined;
  return hit.pii;
}

/**
 * The tenant's PII keys, or null when this gateway has no MASTER_KEY (fields are then stored in
 * clear, README). Cost: one statement per tenant a minute (all data key versions, usually one row);
 * again when `sealed` holds a value under a key version not loaded yet (another node rotated).
 * Creates the tenant's first data key when it has none; inside a transaction pass its `tx` as `q`.
 */
export async function tenantPii(db: Db, q: Queryable, tenantId: string, sealed: Iterable<string> = []): Promise<TenantPii | null> {
  const keyring = keyringOf(db);
  if (!keyring) return null;
  const hit = cachedTenantPii(db, tenantId, sealed);
  if (hit) return hit;
  const { key: newest, created } = await keyring.newestDataKey(q, tenantId);
  const rows = await q.$queryRaw<{ id: string; version: number; wrapped: string }[]>`
    SELECT id::text, version, wrapped FROM data_key WHERE tenant_id = ${tenantId}::uuid ORDER BY version`;
  const keys = new Map(rows.map((row) => [row.id, keyring.unwrapDataKey(row)] as const));
  // Just created inside this (uncommitted) transaction: not visible to the SELECT's snapshot only
  // if another statement raced; keep it in the map either way.
  keys.set(newest.id, newest);
  const first = rows[0] ? keys.get(rows[0].id)! : newest;
  const indexKey = Buffer.from(hkdfSync("sha256", first.key, Buffer.alloc(0), `blind-index:${dataKeyAad(first.id)}`, 32));
  const pii = new TenantPii(tenantId, newest, keys, indexKey);
  // A key created in an open transaction is not cached: it may roll back.
  if (!created) cacheOf(keyring).set(tenantId, { pii, until: Date.now() + TENANT_KEYS_TTL_MS });
  return pii;
}
