import type { Db } from "../db/database.ts";
import { BLIND_INDEX_PREFIX, tenantPii } from "../pii/at-rest.ts";
import { storedContact } from "./phones-at-rest.ts";

/** Rows sealed per transaction: short locks, bounded statements. */
const BATCH = 500;

/**
 * Seals the tenant's phone numbers still stored in clear (written before the gateway had a
 * MASTER_KEY, or before phones were sealed): value ← seal(E.164), normalized ← its blind index
 * (phones-at-rest.ts). Batches of 500 rows in id order, each its own transaction with the rows
 * locked; rows already sealed are skipped, so a run that stopped halfway is simply run again.
 * No audit event: what the customer's contacts say does not change. Returns the rows sealed.
 * Throws without a MASTER_KEY. Cost: two statements per batch (the read, one UPDATE … FROM).
 */
export async function sealExistingPhones(db: Db, tenantId: string): Promise<number> {
  let sealed = 0;
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const batch = await db.$transaction(async (tx) => {
      const pii = await tenantPii(db, tx, tenantId);
      if (!pii) throw new Error("sealExistingPhones: this gateway has no MASTER_KEY");
      const rows = await tx.$queryRaw<{ id: string; normalized: string }[]>`
        SELECT id::text, normalized FROM contact
        WHERE tenant_id = ${tenantId}::uuid AND kind = 'PHONE' AND NOT starts_with(normalized, ${BLIND_INDEX_PREFIX}) AND id > ${after}::uuid
        ORDER BY id LIMIT ${BATCH} FOR UPDATE`;
      if (rows.length === 0) return rows;
      const updates = rows.map((r) => ({
        id: r.id,
        ...storedContact(pii, { kind: "PHONE", value: r.normalized, normalized: r.normalized }),
      }));
      await tx.$executeRaw`
        UPDATE contact c SET value = u.value, normalized = u.normalized
        FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS u(id uuid, kind text, value text, normalized text)
        WHERE c.id = u.id AND c.tenant_id = ${tenantId}::uuid`;
      return rows;
    });
    if (batch.length === 0) return sealed;
    sealed += batch.length;
    after = batch.at(-1)!.id;
  }
}
