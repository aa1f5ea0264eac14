import type { GraphQLContext } from "./context.ts";
import { CUSTOMER_DATA } from "./policies.ts";
import { isUuid, NIL_UUID } from "../ids.ts";

// The prismaNode options every tenant-owned type shares. node(id) answers null, not an error, for
// an unknown or foreign id, and never crosses tenants: rows are looked up by (id, tenant of the
// credential), and a customer token reaches only that customer's own rows.

/**
 * Whose rows node() and Pothos's fallback loads may return: the admin's tenant, or for a
 * customer only their own rows of their tenant. Anonymous callers get nothing.
 */
export function nodeOwner(ctx: GraphQLContext): { tenantId: string; customerId?: string } {
  if (ctx.admin) return { tenantId: ctx.admin.tenantId };
  if (ctx.customer) return { tenantId: ctx.customer.tenantId, customerId: ctx.customer.customerId };
  return { tenantId: NIL_UUID, customerId: NIL_UUID };
}

/**
 * node(id) lookup for a customer-owned row: (id, tenant) for an admin, and additionally the
 * customer for a customer token. A malformed id finds nothing instead of failing in SQL.
 */
export function ownedRowWhere(id: string, ctx: GraphQLContext) {
  const owner = nodeOwner(ctx);
  return { id_tenantId: { id: isUuid(id) ? id : NIL_UUID, tenantId: owner.tenantId }, customerId: owner.customerId };
}

/** node(id) lookup for an admin-only row (credentials, audit events): (id, admin's tenant). */
export function adminRowWhere(id: string, ctx: GraphQLContext) {
  return { id_tenantId: { id: isUuid(id) ? id : NIL_UUID, tenantId: ctx.admin?.tenantId ?? NIL_UUID } };
}

/** A row that belongs to a customer (session, identity, consent, custom object). */
export const customerOwnedNode = { nullable: true, id: { field: "id" }, authScopes: CUSTOMER_DATA, findUnique: ownedRowWhere } as const;

/** The customer row itself: a customer token reaches its own customer and nobody else. */
export const customerNode = {
  ...customerOwnedNode,
  findUnique: (id: string, ctx: GraphQLContext) => {
    const { tenantId, customerId } = nodeOwner(ctx);
    return { id_tenantId: { id: isUuid(id) && (!customerId || customerId === id) ? id : NIL_UUID, tenantId } };
  },
} as const;

/** A row only admins reach (audit events, credentials); `authScopes` is the type's rule. */
export const adminOnlyNode = <Scopes>(authScopes: Scopes) =>
  ({ nullable: true, id: { field: "id" }, authScopes, findUnique: adminRowWhere }) as const;
