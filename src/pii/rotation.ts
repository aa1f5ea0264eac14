import { randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../db/database.ts";
import { encrypt } from "../signing-keys/encryption.ts";
import { dataKeyAad, Keyring, type MasterKeys } from "./keyring.ts";

export interface DataKeyRotation {
  tenants: number;
  rewrapped: number;
}

/**
 * Rotates every tenant's PII data keys without downtime and without touching the data:
 * 1. re-wraps each data key row (every version) under the current MASTER_KEY, opening it with
 *    MASTER_KEY or MASTER_KEY_PREVIOUS — after this, MASTER_KEY_PREVIOUS can be removed;
 * 2. adds a new data key version per tenant, which new customer keys use from then on (nodes pick it
 *    up within a minute); older versions keep unwrapping the customer keys they wrapped.
 * One transaction per tenant; running nodes keep working throughout, since every row opens under
 * one of the keys they hold. Idempotent apart from the new version it adds.
 */
export async function rotateDataKeys(db: Db, master: MasterKeys): Promise<DataKeyRotation> {
  const keyring = new Keyring(master);
  const tenants = await db.tenant.findMany({ select: { id: true }, orderBy: { id: "asc" } });
  let rewrapped = 0;
  for (const { id: tenantId } of tenants) {
    await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; version: number; wrapped: string }[]>`
        SELECT id::text, version, wrapped FROM data_key WHERE tenant_id = ${tenantId}::uuid ORDER BY version FOR UPDATE`;
      const updates = rows.map((row) => ({
        id: row.id,
        wrapped: encrypt(master.current, keyring.unwrapDataKey(row).key, dataKeyAad(row.id)),
      }));
      if (updates.length > 0) {
        await tx.$executeRaw`
          UPDATE data_key d SET wrapped = u.wrapped
          FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS u(id uuid, wrapped text) WHERE d.id = u.id`;
      }
      const id = randomUUID();
      const version = (rows.at(-1)?.version ?? 0) + 1;
      await tx.$executeRaw`
        INSERT INTO data_key (id, tenant_id, version, wrapped)
        VALUES (${id}::uuid, ${tenantId}::uuid, ${version}, ${encrypt(master.current, randomBytes(32), dataKeyAad(id))})`;
      rewrapped += rows.length;
    });
  }
  return { tenants: tenants.length, rewrapped };
}
