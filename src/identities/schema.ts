import { IdentityInput } from "../customers/profile.schema.ts";
import { returnsCustomer } from "../customers/schema.ts";
import { builder } from "../graphql/builder.ts";
import { customerIdArg } from "../graphql/common.ts";
import { customerOwnedNode } from "../graphql/nodes.ts";
import { adminService } from "../graphql/context.ts";
import { customerLocalId, localIdOrNull } from "../graphql/ids.ts";
import { linkIdentity, unlinkIdentity } from "./service.ts";

export const IdentityRef = builder.prismaNode("Identity", {
  ...customerOwnedNode,
  description: "One way a customer signs in: password, email, phone, or an account at a social or enterprise provider.",
  fields: (t) => ({
    provider: t.exposeString("provider", { description: "password, email, phone, google, saml-acme, …" }),
    providerUserId: t.exposeString("providerUserId", { description: "The account's id at the provider; unique per provider in a tenant." }),
    profile: t.field({
      type: "JSONObject",
      description: "The raw profile the provider returned.",
      resolve: (i) => i.profile as Record<string, unknown>,
    }),
    linkedAt: t.expose("linkedAt", { type: "DateTime" }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true }),
    customer: t.relation("customer"),
  }),
});

// Folded into the customer's own query: listing identities costs no extra statement.
builder.prismaObjectField("Customer", "identities", (t) =>
  t.relatedConnection("identities", {
    cursor: "id",
    description: "Oldest first.",
    query: { orderBy: [{ linkedAt: "asc" }, { id: "asc" }] },
  }),
);

builder.mutationFields((t) => ({
  linkIdentity: t.field({
    ...returnsCustomer,
    description: "Adds a way to sign in. The provider account must not be linked to any customer of the tenant yet.",
    args: { ...customerIdArg, identity: t.arg({ type: IdentityInput, required: true }) },
    resolve: (_root, { customerId: id, identity }, ctx) =>
      linkIdentity(adminService(ctx), customerLocalId(id), { ...identity, profile: identity.profile ?? {} }),
  }),
  unlinkIdentity: t.field({
    ...returnsCustomer,
    description: "Removes a way to sign in; refused for the customer's last identity.",
    args: { ...customerIdArg, identityId: t.arg.id({ required: true }) },
    // A malformed identity id reaches the service as "" so an unknown customer still wins.
    resolve: (_root, args, ctx) =>
      unlinkIdentity(adminService(ctx), customerLocalId(args.customerId), localIdOrNull(args.identityId, "Identity") ?? ""),
  }),
}));
