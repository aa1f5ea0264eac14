import { prismaConnectionHelpers } from "@pothos/plugin-prisma";
import { CustomerRef } from "../customers/schema.ts";
import { builder } from "../graphql/builder.ts";
import { answeringId, mutationResult } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { customerLocalId, localIdOrNull } from "../graphql/ids.ts";
import { adminOnlyNode } from "../graphql/nodes.ts";
import { ACCESS_DATA, CUSTOMERS_READ, CUSTOMERS_WRITE, TENANT_ADMIN } from "../graphql/policies.ts";
import {
  addOrganizationMembers,
  createOrganization,
  deleteOrganization,
  findOrganization,
  listOrganizations,
  removeOrganizationMembers,
  updateOrganization,
} from "./organizations.ts";

// Organizations: defined by tenant admins, members added by who writes customers. Role pairs on
// an organization are in roles.schema.ts (Organization.roleAssignments).

export const OrganizationRef = builder.prismaNode("Organization", {
  ...adminOnlyNode(ACCESS_DATA),
  description: "A business customer of the tenant: customers may be members, and roles may be granted for it.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Unique within the tenant." }),
    domain: t.exposeString("domain", { nullable: true, description: "Lower-cased DNS name (acme.com), unique within the tenant." }),
    metadata: t.field({ type: "JSONObject", resolve: (o) => o.metadata as Record<string, unknown> }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    memberCount: t.relationCount("members"),
  }),
});

const byCustomer = prismaConnectionHelpers(builder, "OrganizationMembership", {
  cursor: "organizationId_customerId",
  query: { orderBy: { customerId: "asc" } },
  select: (nodeSelection) => ({ customer: nodeSelection(true) }),
  resolveNode: (m) => m.customer,
});

const byOrganization = prismaConnectionHelpers(builder, "OrganizationMembership", {
  cursor: "organizationId_customerId",
  query: { orderBy: { organizationId: "asc" } },
  select: (nodeSelection) => ({ organization: nodeSelection(true) }),
  resolveNode: (m) => m.organization,
});

builder.prismaObjectField("Organization", "members", (t) =>
  t.connection({
    type: CustomerRef,
    authScopes: CUSTOMERS_READ,
    description: "The organization's member customers (ordered by id). Role pairs do not need membership.",
    select: (args, ctx, nested) => ({ members: byCustomer.getQuery(args, ctx, nested) }),
    resolve: (organization, args, ctx) => byCustomer.resolve(organization.members, args, ctx),
  }),
);

builder.prismaObjectField("Customer", "organizations", (t) =>
  t.connection({
    type: OrganizationRef,
    authScopes: CUSTOMERS_READ,
    description: "The organizations the customer is a member of (ordered by id).",
    select: (args, ctx, nested) => ({ organizationMemberships: byOrganization.getQuery(args, ctx, nested) }),
    resolve: (customer, args, ctx) => byOrganization.resolve(customer.organizationMemberships, args, ctx),
  }),
);

builder.queryFields((t) => ({
  organization: t.prismaField({
    type: "Organization",
    nullable: true,
    authScopes: ACCESS_DATA,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = localIdOrNull(args.id, "Organization");
      return id ? findOrganization(adminService(ctx), id, query) : null;
    },
  }),
  organizations: t.prismaConnection(
    {
      type: "Organization",
      cursor: "id",
      authScopes: ACCESS_DATA,
      description: "The tenant's organizations by name.",
      resolve: (query, _root, _args, ctx) => listOrganizations(adminService(ctx), query),
    },
    { name: "OrganizationConnection" },
  ),
}));

const OrganizationInput = builder.inputType("OrganizationInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1 to 100 characters, unique within the tenant." }),
    domain: t.string({ description: "A DNS name (acme.com), stored lower-cased; unique within the tenant." }),
    metadata: t.field({ type: "JSONObject", description: "Free-form JSON object, at most 16 KiB." }),
  }),
});

const OrganizationPatch = builder.inputType("OrganizationPatch", {
  description: "Only the fields given change; domain: null clears it; metadata replaces the object.",
  fields: (t) => ({ name: t.string(), domain: t.string(), metadata: t.field({ type: "JSONObject" }) }),
});

const organizationId = (id: string) => localIdOrNull(id, "Organization") ?? "";
const membersArgs = builder.args((t) => ({
  organizationId: t.id({ required: true }),
  customerIds: t.idList({ required: true, description: "1 to 100 Customer IDs." }),
}));

builder.mutationFields((t) => ({
  createOrganization: t.field({
    ...mutationResult(OrganizationRef, "organization", TENANT_ADMIN),
    args: { input: t.arg({ type: OrganizationInput, required: true }) },
    resolve: (_root, { input }, ctx) => createOrganization(adminService(ctx), input),
  }),
  updateOrganization: t.field({
    ...mutationResult(OrganizationRef, "organization", TENANT_ADMIN),
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: OrganizationPatch, required: true }) },
    resolve: (_root, { id, input }, ctx) => updateOrganization(adminService(ctx), organizationId(id), input),
  }),
  deleteOrganization: t.field({
    ...mutationResult("ID", "deletedOrganizationId", TENANT_ADMIN),
    description: "Deletes the organization, its memberships and the role pairs granted for it.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => answeringId(id, () => deleteOrganization(adminService(ctx), organizationId(id))),
  }),
  addOrganizationMembers: t.field({
    ...mutationResult(OrganizationRef, "organization", CUSTOMERS_WRITE),
    description: "Makes customers members; existing members are left alone. One customer.organization_added per customer added.",
    args: membersArgs,
    resolve: (_root, args, ctx) =>
      addOrganizationMembers(adminService(ctx), organizationId(args.organizationId), args.customerIds.map(customerLocalId)),
  }),
  removeOrganizationMembers: t.field({
    ...mutationResult(OrganizationRef, "organization", CUSTOMERS_WRITE),
    description: "Ends memberships (role pairs stay). One customer.organization_removed per customer removed.",
    args: membersArgs,
    resolve: (_root, args, ctx) =>
      removeOrganizationMembers(adminService(ctx), organizationId(args.organizationId), args.customerIds.map(customerLocalId)),
  }),
}));
