import { builder } from "../graphql/builder.ts";
import { adminService } from "../graphql/context.ts";
import { localId, localIdOrNull } from "../graphql/ids.ts";
import { IdentityInput } from "../customers/mutations.ts";
import { CustomerRef } from "../customers/types.ts";
import { linkIdentity, unlinkIdentity } from "./service.ts";

const returnsCustomer = {
  type: CustomerRef,
  authScopes: { adminScope: "CUSTOMERS_WRITE" },
  errors: { dataField: { name: "customer" } },
} as const;
const customerId = (id: string) => localId(id, "Customer", "CUSTOMER_NOT_FOUND");

builder.mutationFields((t) => ({
  linkIdentity: t.field({
    ...returnsCustomer,
    description: "Adds a way to sign in. The provider account must not be linked to any customer of the tenant yet.",
    args: { customerId: t.arg.id({ required: true }), identity: t.arg({ type: IdentityInput, required: true }) },
    resolve: (_root, { customerId: id, identity }, ctx) =>
      linkIdentity(adminService(ctx), customerId(id), { ...identity, profile: identity.profile ?? {} }),
  }),
  unlinkIdentity: t.field({
    ...returnsCustomer,
    description: "Removes a way to sign in; refused for the customer's last identity.",
    args: { customerId: t.arg.id({ required: true }), identityId: t.arg.id({ required: true }) },
    // A malformed identity id reaches the service as "" so an unknown customer still wins.
    resolve: (_root, args, ctx) =>
      unlinkIdentity(adminService(ctx), customerId(args.customerId), localIdOrNull(args.identityId, "Identity") ?? ""),
  }),
}));
