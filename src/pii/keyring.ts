import { LRUCache } from "lru-cache";
import { randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transact.ts";
import { decrypt, encrypt } from "../signing-keys/encryption.ts";

// Envelope encryption of PII. MASTER_KEY (never stored) wraps each tenant's data keys (table
// data_key, one row per version); a data key wraps each customer's own key (customer_key, which
// seals the PII in that customer's audit events). Unwrapped keys are cached in this process:
// their content never changes (rotation adds versions or re-wraps the same bytes), so the cache
// is never stale, only an erased customer's key must leave it (forgetCustomer).

/** The master keys this process holds: the current one wraps, both unwrap (during a MASTER_KEY change). */
export interface MasterKeys {
  current: Buffer;
  previous: Buffer | null;
}

/** Anything that runs SQL: the client, or a transaction's `tx`. */
export type Queryable = Pick<Db, "$queryRaw"> | Pick<Tx, "$queryRaw">;

export interface DataKey {
  id: string;
  version: number;
  key: Buffer;
}

/** How long a node keeps using a tenant's newest data key before looking for a newer version. */
const CURRENT_KEY_TTL_MS = 60_000;
/** Customer keys kept for sealing (~120 bytes each): a miss costs a new customer_key row (src/pii/audit-seal.ts). */
const CUSTOMER_KEY_CACHE_SIZE = 50_000;

export class Keyring {
  private readonly dataKeys = new Map<string, DataKey>();
  private readonly newest = new Map<string, { key: DataKey; until: number }>();
  /** Customer id → its key, for sealing; only keys known to be committed; the least recently used leave first. */
  private readonly customerKeys = new LRUCache<string, { id: string; key: Buffer }>({ max: CUSTOMER_KEY_CACHE_SIZE });

  constructor(readonly master: MasterKeys) {}

  /** Unwraps a data key row with the current master key, else the previous one; throws if neither opens it. */
  unwrapDataKey(row: { id: string; version: number; wrapped: string }): DataKey {
    const cached = this.dataKeys.get(row.id);
    if (cached) return cached;
    const key = { id: row.id, version: row.version, key: this.openWithMaster(row.wrapped, dataKeyAad(row.id)) };
    this.dataKeys.set(row.id, key);
    return key;
  }

  openWithMaster(wrapped: string, aad: string): Buffer {
    try {
      return decrypt(this.master.current, wrapped, aad);
    } catch (error) {
      if (!this.master.previous) throw error;
      return decrypt(this.master.previous, wrapped, aad);
    }
  }

  /**
   * The tenant's newest data key, created (version 1) when the tenant has none. A key created
   * inside a transaction is cached only by `remember` after commit: a rolled-back one never is.
   */
  async newestDataKey(q: Queryable, tenantId: string): Promise<{ key: DataKey; created: boolean }> {
    const hit = this.newest.get(tenantId);
    if (hit && hit.until > Date.now()) return { key: hit.key, created: false };
    const [row] = await q.$queryRaw<{ id: string; version: number; wrapped: string }[]>`
      SELECT id::text, version, wrapped FROM data_key WHERE tenant_id = ${tenantId}::uuid ORDER BY version DESC LIMIT 1`;
    if (row) {
      const key = this.unwrapDataKey(row);
      this.rememberNewest(tenantId, key);
      return { key, created: false };
    }
    const key = { id: randomUUID(), version: 1, key: randomBytes(32) };
    const inserted = await q.$queryRaw<{ id: string }[]>`
      INSERT INTO data_key (id, tenant_id, version, wrapped)
      VALUES (${key.id}::uuid, ${tenantId}::uuid, 1, ${encrypt(this.master.current, key.key, dataKeyAad(key.id))})
      ON CONFLICT (tenant_id, version) DO NOTHING RETURNING id::text`;
    // Another transaction created it first: read theirs (committed, or we would have waited on it).
    if (inserted.length === 0) return this.newestDataKey(q, tenantId);
    return { key, created: true };
  }

  /** Outside any transaction (so a key it creates is committed): makes sure the tenant has a data key, and caches it. */
  async ensureDataKey(db: Db, tenantId: string): Promise<void> {
    this.rememberNewest(tenantId, (await this.newestDataKey(db, tenantId)).key);
  }

  rememberNewest(tenantId: string, key: DataKey): void {
    this.dataKeys.set(key.id, key);
    this.newest.set(tenantId, { key, until: Date.now() + CURRENT_KEY_TTL_MS });
  }

  /** Data keys by id (any version), unwrapped; one statement for the ones not cached. */
  async dataKeysById(q: Queryable, ids: string[]): Promise<Map<string, DataKey>> {
    const missing = [...new Set(ids)].filter((id) => !this.dataKeys.has(id));
    if (missing.length > 0) {
      const rows = await q.$queryRaw<{ id: string; version: number; wrapped: string }[]>`
        SELECT id::text, version, wrapped FROM data_key WHERE id = ANY(${missing}::uuid[])`;
      for (const row of rows) this.unwrapDataKey(row);
    }
    return new Map(ids.flatMap((id) => (this.dataKeys.has(id) ? [[id, this.dataKeys.get(id)!]] : [])));
  }

  customerKey(customerId: string): { id: string; key: Buffer } | undefined {
    return this.customerKeys.get(customerId);
  }

  rememberCustomerKey(customerId: string, key: { id: string; key: Buffer }): void {
    this.customerKeys.set(customerId, key);
  }

  /** Drops an erased customer's key from this process. */
  forgetCustomer(customerId: string): void {
    this.customerKeys.delete(customerId);
  }
}

export const dataKeyAad = (id: string) => `data-key:${id}`;
export const customerKeyAad = (tenantId: string, customerId: string, id: string) => `customer-key:${tenantId}:${customerId}:${id}`;

// The keyring travels with the database client rather than through every ServiceContext: the
// audit writer (db/transact.ts) and the readers of audit events only hold `ctx.db`. One gateway
// (or CLI run) attaches it once at start; none attached means no MASTER_KEY (see README).
const keyrings = new WeakMap<object, Keyring>();

export function attachKeyring(db: Db, keyring: Keyring): void {
  keyrings.set(db, keyring);
}

export const keyringOf = (db: Db): Keyring | null => keyrings.get(db) ?? null;
