import { randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../db/database.ts";
import { sealAuditEventsWith, type NewCustomerKey, type Tx } from "../db/transact.ts";
import type { AuditEvent, Prisma } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { decrypt, encrypt } from "../signing-keys/encryption.ts";
import { attachKeyring, customerKeyAad, Keyring, keyringOf, type MasterKeys, type Queryable } from "./keyring.ts";
import { hasPii, sealedKeyIds, sealPii, unsealPii } from "./seal.ts";

/**
 * Turns PII protection on for `db`: attaches the keyring and has every audited transaction seal the
 * PII of its events (seal.ts's rule) under each customer's key before they are written. Without a
 * master key nothing is attached and events are stored as given (README: PII encryption and erasure).
 */
export function protectPii(db: Db, master: MasterKeys | null): Keyring | null {
  if (!master) return null;
  const keyring = new Keyring(master);
  attachKeyring(db, keyring);
  sealAuditEventsWith(db, (tx, ctx, events) => sealEvents(keyring, tx, ctx, events));
  return keyring;
}

interface CustomerKey {
  id: string;
  key: Buffer;
}

/**
 * Seals the events' PII, each customer's under their cached key, else under a key made here that
 * the audit statement stores (db/transact.ts), so a cache miss costs no round trip — only a new
 * row in customer_key: a customer gets one key per process that sealed for them without the key
 * in cache (after a start, on each node, or once evicted from the LRU). Erasure deletes them all.
 * Keys made here are cached only after commit, and only those stored (an erased customer's is not).
 * One statement more only when this node re-reads the tenant's newest data key (once a minute).
 */
async function sealEvents(keyring: Keyring, tx: Tx, ctx: ServiceContext, events: AuditEvent[]) {
  const sealing = events.filter((e) => e.customerId && hasPii(e.data));
  if (sealing.length === 0) return;
  const made = new Map<string, NewCustomerKey & CustomerKey>();
  let dataKey: Awaited<ReturnType<Keyring["newestDataKey"]>> | undefined;
  for (const event of sealing) {
    const customerId = event.customerId!;
    let key: CustomerKey | undefined = keyring.customerKey(customerId) ?? made.get(customerId);
    if (!key) {
      dataKey ??= await keyring.newestDataKey(tx, ctx.tenantId);
      const [id, bytes] = [randomUUID(), randomBytes(32)];
      const wrapped = encrypt(dataKey.key.key, bytes, customerKeyAad(ctx.tenantId, customerId, id));
      made.set(customerId, { id, customerId, dataKeyId: dataKey.key.id, wrapped, key: bytes });
      key = { id, key: bytes };
    }
    event.data = sealPii(event.data, event.id, key.id, key.key) as Prisma.JsonValue;
  }
  if (made.size === 0) return;
  return {
    newKeys: [...made.values()].map(({ key: _, ...row }) => row),
    afterCommit: (stored: ReadonlySet<string>) => {
      if (dataKey?.created) keyring.rememberNewest(ctx.tenantId, dataKey.key);
      for (const { customerId, id, key } of made.values()) if (stored.has(customerId)) keyring.rememberCustomerKey(customerId, { id, key });
    },
  };
}

/** Unwraps customer key rows (key id → key); rows whose data key or wrapping fails to open are left out. */
async function openCustomerKeys(
  keyring: Keyring,
  q: Queryable,
  tenantId: string,
  rows: { id: string; customerId: string; dataKeyId: string; wrapped: string }[],
): Promise<Map<string, CustomerKey>> {
  const dataKeys = await keyring.dataKeysById(
    q,
    rows.map((r) => r.dataKeyId),
  );
  const keys = new Map<string, CustomerKey>();
  for (const row of rows) {
    const dataKey = dataKeys.get(row.dataKeyId);
    if (!dataKey) continue;
    try {
      keys.set(row.id, { id: row.id, key: decrypt(dataKey.key, row.wrapped, customerKeyAad(tenantId, row.customerId, row.id)) });
    } catch {
      continue;
    }
  }
  return keys;
}

/**
 * Opens the sealed PII of `events` (all of one tenant) in place of the sealed values: what an
 * authorized reader gets. A value whose customer key is gone (erased) reads as ERASED. Cost: one
 * statement for the keys of the whole batch (plus one for uncached data keys); none when nothing is sealed.
 * Inside a transaction pass its `tx` as `q` (on PGlite the outer client would wait for it).
 */
export async function unsealAuditData<E extends { id: string; tenantId: string; data: unknown }>(
  db: Db,
  events: E[],
  q: Queryable = db,
): Promise<E[]> {
  const keyIds = new Set<string>();
  for (const e of events) sealedKeyIds(e.data, keyIds);
  if (keyIds.size === 0) return events;
  const keyring = keyringOf(db);
  const tenantId = events[0]!.tenantId;
  const rows = keyring
    ? await q.$queryRaw<{ id: string; customerId: string; dataKeyId: string; wrapped: string }[]>`
        SELECT id::text, customer_id::text AS "customerId", data_key_id::text AS "dataKeyId", wrapped
        FROM customer_key WHERE id = ANY(${[...keyIds]}::uuid[]) AND tenant_id = ${tenantId}::uuid`
    : [];
  const opened = keyring ? await openCustomerKeys(keyring, q, tenantId, rows) : new Map<string, CustomerKey>();
  const keys = new Map([...opened].map(([id, k]) => [id, k.key]));
  return events.map((e) => ({ ...e, data: unsealPii(e.data, e.id, keys) }));
}
