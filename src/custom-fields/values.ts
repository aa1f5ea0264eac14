import type { Tx } from "../db/transact.ts";
import { IncompatibleValuesError } from "../errors.ts";
import { NIL_UUID } from "../ids.ts";
import { sameJson } from "../json.ts";
import { tenantPii } from "../pii/at-rest.ts";
import { openProfile } from "../pii/profile.ts";
import type { ServiceContext } from "../service-context.ts";
import { valueSchema, type FieldShape } from "./validator.ts";

const BATCH = 5_000;
const EXAMPLES = 5;

/**
 * Before a definition takes effect (defined over a key customers already hold, its type or rules
 * changed, restored), every value held under its key must pass it unchanged: valid, and already
 * in the normalized form the index orders by. Otherwise IncompatibleValuesError with the number of
 * offending customers and a few of their uids. The same validator as the writes checks them
 * (patterns included), so SQL and JavaScript can never disagree. Cost: reads the key's holders
 * once, in batches of 5,000 by id (one statement per batch); on a million holders, seconds. Values
 * sealed at rest (PII, src/pii/profile.ts) are opened to be checked: AES-GCM per holder.
 */
export async function assertValuesFit(tx: Tx, ctx: Pick<ServiceContext, "db" | "tenantId">, def: FieldShape): Promise<void> {
  const tenantId = ctx.tenantId;
  const schema = valueSchema(def);
  let after = NIL_UUID;
  let offenders = 0;
  const examples: string[] = [];
  for (;;) {
    // ORDER BY customer.id, not id: that names the select list's text column, which no index
    // orders, and each batch would sort all holders (minutes instead of seconds at a million).
    const rows = await tx.$queryRaw<{ id: string; uid: string; value: unknown; sealed: string | null }[]>`
      SELECT id::text AS id, uid, custom_fields -> ${def.key} AS value, CASE WHEN pii_index ? ${def.key} THEN pii_sealed END AS sealed
      FROM customer
      WHERE tenant_id = ${tenantId}::uuid AND (custom_fields ? ${def.key} OR pii_index ? ${def.key}) AND id > ${after}::uuid
      ORDER BY customer.id LIMIT ${BATCH}`;
    const pii = rows.some((r) => r.sealed) ? await tenantPii(ctx.db, tx, tenantId) : null;
    for (const row of rows) {
      if (row.sealed) row.value = sealedValue(pii, row.id, row.sealed, def.key) ?? row.value;
      const parsed = schema.safeParse(row.value);
      if (parsed.success && sameJson(parsed.data, row.value)) continue;
      offenders++;
      if (examples.length < EXAMPLES) examples.push(row.uid);
    }
    if (rows.length < BATCH) break;
    after = rows[rows.length - 1].id;
  }
  if (offenders > 0) throw new IncompatibleValuesError(def.key, offenders, examples);
}

function sealedValue(pii: Awaited<ReturnType<typeof tenantPii>>, id: string, sealed: string, key: string): unknown {
  const opened = openProfile(pii, { id, birthdate: null, addresses: [], customFields: {}, piiSealed: sealed });
  return (opened.customFields as Record<string, unknown>)[key];
}
