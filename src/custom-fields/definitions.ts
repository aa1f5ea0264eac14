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
