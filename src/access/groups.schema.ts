import { prismaConnectionHelpers } from "@pothos/plugin-prisma";
import { CustomerRef } from "../customers/schema.ts";
import { builder } from "../graphql/builder.ts";
import { answeringId, mutationResult } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { customerLocalId, localIdOrNull } from "../graphql/ids.ts";
import { adminOnlyNode } from "../graphql/nodes.ts";
import { ACCESS_DATA, CUSTOMERS_READ, CUSTOMERS_WRITE, TENANT_ADMIN } from "../graphql/policies.ts";
import { groupClaimsInTokens, setGroupClaimsInTokens } from "./settings.ts";
import { addGroupMembers, createGroup, deleteGroup, findGroup, listGroups, removeGroupMembers, updateGroup } from "./groups.ts";

// Groups: defined by tenant admins, filled by who writes customers. Lists through the membership
// table are folded into the parent's Prisma query (prismaConnectionHelpers): no N+1.

export const GroupRef = builder.prismaNode("Group", {
  ...adminOnlyNode(ACCESS_DATA),
  description: "A named set of customers; applications may restrict access by group (the `groups` access-token claim).",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Unique within the tenant." }),
    description: t.exposeString("description", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    memberCount: t.relationCount("members", { description: "How many customers are in the group (one count)." }),
  }),
});

const byCustomer = prismaConnectionHelpers(builder, "GroupMembership", {
  cursor: "groupId_customerId",
  query: { orderBy: { customerId: "asc" } },
  select: (nodeSelection) => ({ customer: nodeSelection(true) }),
  resolveNode: (m) => m.customer,
});

const byGroup = prismaConnectionHelpers(builder, "GroupMembership", {
  cursor: "groupId_customerId",
  query: { orderBy: { groupId: "asc" } },
  select: (nodeSelection) => ({ group: nodeSelection(true) }),
  resolveNode: (m) => m.group,
});

builder.prismaObjectField("Group", "members", (t) =>
  t.connection({
    type: CustomerRef,
    authScopes: CUSTOMERS_READ,
    description: "The group's customers (ordered by id: a stable order to page through).",
    select: (args, ctx, nested) => ({ members: byCustomer.getQuery(args, ctx, nested) }),
    resolve: (group, args, ctx) => byCustomer.resolve(group.members, args, ctx),
  }),
);

builder.prismaObjectField("Customer", "groups", (t) =>
  t.connection({
    type: GroupRef,
    authScopes: CUSTOMERS_READ,
    description: "The groups the customer is in (ordered by id).",
    select: (args, ctx, nested) => ({ groupMemberships: byGroup.getQuery(args, ctx, nested) }),
    resolve: (customer, args, ctx) => byGroup.resolve(customer.groupMemberships, args, ctx),
  }),
);

builder.queryFields((t) => ({
  group: t.prismaField({
    type: "Group",
    nullable: true,
    authScopes: ACCESS_DATA,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = localIdOrNull(args.id, "Group");
      return id ? findGroup(adminService(ctx), id, query) : null;
    },
  }),
  groupClaimsInTokens: t.boolean({
    authScopes: ACCESS_DATA,
    description: "Whether customer access tokens carry a `groups` claim (the customer's group names).",
    resolve: (_root, _args, ctx) => groupClaimsInTokens(adminService(ctx)),
  }),
  groups: t.prismaConnection(
    {
      type: "Group",
      cursor: "id",
      authScopes: ACCESS_DATA,
      description: "The tenant's groups by name.",
      resolve: (query, _root, _args, ctx) => listGroups(adminService(ctx), query),
    },
    { name: "GroupConnection" },
  ),
}));

const GroupInput = builder.inputType("GroupInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1 to 100 characters, unique within the tenant." }),
    description: t.string({ description: "At most 1000 characters." }),
  }),
});

const GroupPatch = builder.inputType("GroupPatch", {
  description: "Only the fields given change; description: null clears it.",
  fields: (t) => ({ name: t.string(), description: t.string() }),
});

const groupId = (id: string) => localIdOrNull(id, "Group") ?? "";
const membersArgs = builder.args((t) => ({
  groupId: t.id({ required: true }),
  customerIds: t.idList({ required: true, description: "1 to 100 Customer IDs; larger selections are bulk actions." }),
}));

builder.mutationFields((t) => ({
  createGroup: t.field({
    ...mutationResult(GroupRef, "group", TENANT_ADMIN),
    args: { input: t.arg({ type: GroupInput, required: true }) },
    resolve: (_root, { input }, ctx) => createGroup(adminService(ctx), input),
  }),
  updateGroup: t.field({
    ...mutationResult(GroupRef, "group", TENANT_ADMIN),
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: GroupPatch, required: true }) },
    resolve: (_root, { id, input }, ctx) => updateGroup(adminService(ctx), groupId(id), input),
  }),
  deleteGroup: t.field({
    ...mutationResult("ID", "deletedGroupId", TENANT_ADMIN),
    description: "Deletes the group and its memberships (one group.deleted event).",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => answeringId(id, () => deleteGroup(adminService(ctx), groupId(id))),
  }),
  setGroupClaimsInTokens: t.field({
    type: "Boolean",
    authScopes: TENANT_ADMIN,
    errors: { dataField: { name: "groupClaimsInTokens" } },
    description:
      "Whether access tokens issued from now on carry a `groups` claim (live tokens keep theirs until they expire). Records tenant.updated.",
    args: { enabled: t.arg.boolean({ required: true }) },
    resolve: (_root, { enabled }, ctx) => setGroupClaimsInTokens(adminService(ctx), enabled),
  }),
  addGroupMembers: t.field({
    ...mutationResult(GroupRef, "group", CUSTOMERS_WRITE),
    description: "Adds customers to the group; members already in it are left alone. One customer.group_added per customer added.",
    args: membersArgs,
    resolve: (_root, args, ctx) => addGroupMembers(adminService(ctx), groupId(args.groupId), args.customerIds.map(customerLocalId)),
  }),
  removeGroupMembers: t.field({
    ...mutationResult(GroupRef, "group", CUSTOMERS_WRITE),
    description:
      "Removes customers from the group (their next access token has no such group: applications restricting by it refuse them). " +
      "One customer.group_removed per customer removed.",
    args: membersArgs,
    resolve: (_root, args, ctx) => removeGroupMembers(adminService(ctx), groupId(args.groupId), args.customerIds.map(customerLocalId)),
  }),
}));
