import { transact, type AuditWriter, type Tx } from "../db/transact.ts";
import { NIL_UUID } from "../ids.ts";
import type { Customer } from "../generated/prisma/client.ts";
import { BLIND_INDEX_PREFIX, tenantPii, type TenantPii } from "../pii/at-rest.ts";
import type { ServiceContext } from "../service-context.ts";
import { profileStore } from "./at-rest.ts";
import { storedContact } from "./phones-at-rest.ts";

// `pii encrypt-existing` (src/cli/pii.ts): seals what a tenant still stores in clear — written
// before the gateway had a MASTER_KEY, or a custom field marked PII after values were written —
// while the gateway runs. In batches by id, each one transaction that locks its rows (a concurrent
// write waits, then sees the sealed row) and records one `pii.sealed_at_rest` event; a run that
// stopped halfway is simply run again, and a second run finds nothing.

/** Rows per transaction: the rows stay locked that long (a few hundred ms). */
const BATCH = 500;

type Batch = (tx: Tx, pii: TenantPii, after: string, audit: AuditWriter) => Promise<{ count: number; last: string | null }>;

/** Runs `batch` over the id space until one comes back short; sums the rows. Throws without a MASTER_KEY. */
async function inBatches(ctx: ServiceContext, batch: Batch): Promise<number> {
  let after = NIL_UUID;
  let total = 0;
  for (;;) {
    const { count, last } = await transact(ctx, async (tx, audit) => {
      const pii = await tenantPii(ctx.db, tx, ctx.tenantId);
      if (!pii) throw new Error("PII at rest needs a MASTER_KEY");
      return batch(tx, pii, after, audit);
    });
    total += count;
    if (!last || count < BATCH) return total;
    after = last;
  }
}

/**
 * Seals the tenant's birthdates, addresses and PII custom fields held in clear, and moves out of
 * the sealed set the fields no longer defined as PII (src/pii/profile.ts). Returns the customers rewritten.
 */
export async function sealExistingProfiles(ctx: ServiceContext): Promise<number> {
  const definitions = await ctx.db.customFieldDefinition.findMany({ where: { tenantId: ctx.tenantId }, select: { key: true, pii: true } });
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const piiKeys = definitions.filter((d) => d.pii).map((d) => d.key);
  const clearKeys = definitions.filter((d) => !d.pii).map((d) => d.key);
  return inBatches(ctx, async (tx, _pii, after, audit) => {
    // pii_index ?| clearKeys: a sealed field whose definition is no longer PII (moves back to clear).
    const rows = await tx.$queryRaw<Customer[]>`
      SELECT id::text, birthdate, addresses, custom_fields AS "customFields", pii_sealed AS "piiSealed" FROM customer
      WHERE tenant_id = ${ctx.tenantId}::uuid AND id > ${after}::uuid
        AND ((pii_sealed IS NULL AND (birthdate IS NOT NULL OR addresses <> '[]'::jsonb))
          OR custom_fields ?| ${piiKeys}::text[] OR pii_index ?| ${clearKeys}::text[])
      ORDER BY id LIMIT ${BATCH} FOR UPDATE`;
    const store = profileStore(tx, ctx);
    const updates = [];
    for (const row of rows) {
      const stored = await store.store(row.id, await store.open(row), byKey, row);
      updates.push({ id: row.id, ...stored, birthdate: stored.birthdate?.toISOString().slice(0, 10) ?? null });
    }
    if (updates.length > 0) {
      await tx.$executeRaw`
        UPDATE customer c SET birthdate = u.birthdate, addresses = u.addresses, custom_fields = u."customFields",
          pii_sealed = u."piiSealed", pii_index = u."piiIndex"
        FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb)
          AS u(id uuid, birthdate date, addresses jsonb, "customFields" jsonb, "piiSealed" text, "piiIndex" jsonb)
        WHERE c.id = u.id AND c.tenant_id = ${ctx.tenantId}::uuid`;
      await audit({ type: "pii.sealed_at_rest", data: { customers: updates.length } });
    }
    return { count: rows.length, last: rows.at(-1)?.id ?? null };
  });
}

/**
 * Seals the tenant's phone numbers held in clear: value ← seal(E.164), normalized ← its blind index
 * (phones-at-rest.ts); rows already sealed are skipped. Returns the rows sealed.
 */
export async function sealExistingPhones(ctx: ServiceContext): Promise<number> {
  return inBatches(ctx, async (tx, pii, after, audit) => {
    const rows = await tx.$queryRaw<{ id: string; normalized: string }[]>`
      SELECT id::text, normalized FROM contact
      WHERE tenant_id = ${ctx.tenantId}::uuid AND kind = 'PHONE' AND NOT starts_with(normalized, ${BLIND_INDEX_PREFIX}) AND id > ${after}::uuid
      ORDER BY id LIMIT ${BATCH} FOR UPDATE`;
    if (rows.length === 0) return { count: 0, last: null };
    const updates = rows.map((r) => ({
      id: r.id,
      ...storedContact(pii, { kind: "PHONE", value: r.normalized, normalized: r.normalized }),
    }));
    await tx.$executeRaw`
      UPDATE contact c SET value = u.value, normalized = u.normalized
      FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS u(id uuid, kind text, value text, normalized text)
      WHERE c.id = u.id AND c.tenant_id = ${ctx.tenantId}::uuid`;
    await audit({ type: "pii.sealed_at_rest", data: { phones: rows.length } });
    return { count: rows.length, last: rows.at(-1)!.id };
  });
}
