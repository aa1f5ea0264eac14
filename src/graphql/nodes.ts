import type { GraphQLContext } from "./context.ts";
import { adminRowWhere, nodeOwner, ownedRowWhere } from "./context.ts";
import { CUSTOMER_DATA } from "./policies.ts";
import { isUuid, NIL_UUID } from "../ids.ts";

// The prismaNode options every tenant-owned type shares. node(id) answers null, not an error, for
// an unknown or foreign id, and never crosses tenants: rows are looked up by (id, tenant of the
// credential), and a customer token reaches only that customer's own rows.

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
