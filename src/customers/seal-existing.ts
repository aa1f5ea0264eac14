import { transact } from "../db/transact.ts";
import { NIL_UUID } from "../ids.ts";
import type { Customer } from "../generated/prisma/client.ts";
import { keyringOf } from "../pii/keyring.ts";
import type { ServiceContext } from "../service-context.ts";
import { profileStore } from "./at-rest.ts";

/** Customers sealed per transaction: the rows stay locked that long (a few hundred ms). */
const BATCH = 500;

/**
 * Seals the PII of a tenant's customers stored in clear (written before the gateway had a
 * MASTER_KEY, or a custom field marked PII after values were written; src/pii/profile.ts), and
 * moves out of the sealed set the fields no longer defined as PII. In batches by id, each one
 * transaction that locks its customers (a concurrent write waits, then sees the sealed row) and
 * records one `pii.sealed_at_rest` event. Idempotent: a second run finds nothing. Returns the
 * number of customers rewritten. Throws when the gateway has no MASTER_KEY.
 */
export async function sealExistingProfiles(ctx: ServiceContext): Promise<number> {
  if (!keyringOf(ctx.db)) throw new Error("PII at rest needs a MASTER_KEY");
  const definitions = await ctx.db.customFieldDefinition.findMany({ where: { tenantId: ctx.tenantId }, select: { key: true, pii: true } });
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const piiKeys = definitions.filter((d) => d.pii).map((d) => d.key);
  const clearKeys = definitions.filter((d) => !d.pii).map((d) => d.key);
  let after = NIL_UUID;
  let total = 0;
  for (;;) {
    const { rewritten, last } = await transact(ctx, async (tx, audit) => {
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
      return { rewritten: updates.length, last: rows.at(-1)?.id ?? null };
    });
    total += rewritten;
    if (!last || rewritten < BATCH) return total;
    after = last;
  }
}
