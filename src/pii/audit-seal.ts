import { randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../db/database.ts";
import { sealAuditEventsWith, type Tx } from "../db/transact.ts";
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
 * Seals the events' PII. Cost: nothing when no event carries PII or every customer's key is
 * cached; else one statement that creates the missing keys (and the tenant's first data key, once).
 * Keys created here are cached only after commit.
 */
async function sealEvents(keyring: Keyring, tx: Tx, ctx: ServiceContext, events: AuditEvent[]): Promise<(() => void) | void> {
  const sealing = events.filter((e) => e.customerId && hasPii(e.data));
  if (sealing.length === 0) return;
  const ids = [...new Set(sealing.map((e) => e.customerId!))];
  const missing = ids.filter((id) => !keyring.customerKey(id));
  const found = missing.length > 0 ? await loadOrCreateCustomerKeys(keyring, tx, ctx.tenantId, missing) : null;
  for (const event of sealing) {
    // A customer that no longer exists gets a key that is never stored: its PII is erased already.
    const key = keyring.customerKey(event.customerId!) ?? found?.keys.get(event.customerId!) ?? { id: randomUUID(), key: randomBytes(32) };
    event.data = sealPii(event.data, event.id, key.id, key.key) as Prisma.JsonValue;
  }
  return found?.commit;
}

async function loadOrCreateCustomerKeys(keyring: Keyring, tx: Tx, tenantId: string, customerIds: string[]) {
  const { key: dataKey, created: dataKeyCreated } = await keyring.newestDataKey(tx, tenantId);
  const candidates = customerIds.map((customerId) => {
    const id = randomUUID();
    const key = randomBytes(32);
    return { id, customerId, key, wrapped: encrypt(dataKey.key, key, customerKeyAad(tenantId, customerId, id)) };
  });
  const rows = await tx.$queryRaw<{ id: string; customerId: string; dataKeyId: string; wrapped: string; created: boolean }[]>`
    WITH candidate AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(candidates.map(({ key: _, ...c }) => c))}::jsonb)
        AS x(id uuid, "customerId" uuid, wrapped text)
    ), inserted AS (
      INSERT INTO customer_key (id, tenant_id, customer_id, data_key_id, wrapped)
      SELECT x.id, ${tenantId}::uuid, x."customerId", ${dataKey.id}::uuid, x.wrapped
      FROM candidate x JOIN customer c ON c.id = x."customerId" AND c.tenant_id = ${tenantId}::uuid
      ON CONFLICT (customer_id) DO NOTHING
      RETURNING id, customer_id
    )
    SELECT k.id::text, k.customer_id::text AS "customerId", k.data_key_id::text AS "dataKeyId", k.wrapped, false AS created
    FROM customer_key k WHERE k.customer_id IN (SELECT "customerId" FROM candidate) AND k.tenant_id = ${tenantId}::uuid
    UNION ALL SELECT id::text, customer_id::text, NULL, NULL, true FROM inserted`;
  const keys = new Map<string, CustomerKey>();
  const created: [string, CustomerKey][] = [];
  const existing = await openCustomerKeys(
    keyring,
    tx,
    tenantId,
    rows.filter((r) => !r.created),
  );
  for (const row of rows) {
    if (!row.created) {
      const key = existing.get(row.id);
      if (key) keyring.rememberCustomerKey(row.customerId, key);
      continue;
    }
    const candidate = candidates.find((c) => c.id === row.id)!;
    keys.set(row.customerId, { id: row.id, key: candidate.key });
    created.push([row.customerId, { id: row.id, key: candidate.key }]);
  }
  const commit = () => {
    if (dataKeyCreated) keyring.rememberNewest(tenantId, dataKey);
    for (const [customerId, key] of created) keyring.rememberCustomerKey(customerId, key);
  };
  return { keys, commit };
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
