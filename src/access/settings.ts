import { transact } from "../db/transact.ts";
import type { ServiceContext } from "../service-context.ts";

// The tenant's access-token setting: whether tokens carry the customer's group names.

/** Whether the tenant's access tokens carry a `groups` claim. Cost: one statement. */
export async function groupClaimsInTokens(ctx: ServiceContext): Promise<boolean> {
  const tenant = await ctx.db.tenant.findUniqueOrThrow({ where: { id: ctx.tenantId }, select: { groupClaimsInTokens: true } });
  return tenant.groupClaimsInTokens;
}

/**
 * Turns the `groups` claim on or off for tokens issued from now on (live tokens keep what they
 * say until they expire). Records `tenant.updated` with the change; no change records nothing.
 */
export function setGroupClaimsInTokens(ctx: ServiceContext, enabled: boolean): Promise<boolean> {
  return transact(ctx, async (tx, audit) => {
    const before = await tx.tenant.findUniqueOrThrow({ where: { id: ctx.tenantId }, select: { groupClaimsInTokens: true } });
    if (before.groupClaimsInTokens === enabled) return enabled;
    await tx.tenant.update({ where: { id: ctx.tenantId }, data: { groupClaimsInTokens: enabled } });
    await audit({ type: "tenant.updated", data: { changes: { groupClaimsInTokens: { from: !enabled, to: enabled } } } });
    return enabled;
  });
}
