import { NotFoundError } from "../errors.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";

// The group a bulk group action names, looked up by (id, tenant): another tenant's group and a
// malformed id are GROUP_NOT_FOUND. Kept here, small, until the groups domain offers its lookup.

/** The tenant's group `id`, or GROUP_NOT_FOUND. Cost: one primary-key read. */
export async function requireGroup(ctx: ServiceContext, id: string): Promise<{ id: string; name: string }> {
  const group = isUuid(id)
    ? await ctx.db.group.findUnique({ where: { id_tenantId: { id, tenantId: ctx.tenantId } }, select: { id: true, name: true } })
    : null;
  if (!group) throw new NotFoundError("GROUP_NOT_FOUND");
  return group;
}
