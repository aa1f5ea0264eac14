import type { CustomFieldDefinition } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";

// The tenant's custom-field definitions as every other domain reads them: the write paths
// validate customFields against them, the filter language types its conditions with them.

export type { CustomFieldDefinition };

/** The tenant's definitions that are not retired, by key. Cost: one indexed statement. */
export async function activeFieldDefinitions(ctx: ServiceContext): Promise<Map<string, CustomFieldDefinition>> {
  const rows = await ctx.db.customFieldDefinition.findMany({ where: { tenantId: ctx.tenantId, retiredAt: null } });
  return new Map(rows.map((d) => [d.key, d]));
}

/** Definition keys: identifiers, so a key can be written into SQL as a literal (see below). */
export const FIELD_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function keyLiteral(key: string): string {
  if (!FIELD_KEY.test(key)) throw new Error(`not a custom field key: ${key}`);
  return `'${key}'`;
}

const column = (alias: string | null) => (alias ? `${alias}.custom_fields` : "custom_fields");

/**
 * The SQL of a field's value as jsonb: what the btree index of a searchable field is built on
 * and what filters and sorting compare, written the same way in both so the planner matches
 * them. The key is a literal, not a parameter: an index expression only matches a constant.
 * jsonb, not a cast (`::numeric`…): within one tenant's validated values jsonb orders numbers
 * numerically and ISO dates chronologically, as the cast would, but it can never fail on
 * another tenant's value under the same key, which a cast in a shared index or a sequential
 * scan would.
 */
export const fieldValueSql = (key: string, alias: string | null = "c") => `(${column(alias)} -> ${keyLiteral(key)})`;

/** The SQL of a field's value as text: what the trigram index of a searchable string field is built on. */
export const fieldTextSql = (key: string, alias: string | null = "c") => `(${column(alias)} ->> ${keyLiteral(key)})`;
