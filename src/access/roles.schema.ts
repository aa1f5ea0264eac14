import { CustomerRef } from "../customers/schema.ts";
import { builder } from "../graphql/builder.ts";
import { answeringId, customerIdArg, mutationResult } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { customerLocalId, localIdOrNull } from "../graphql/ids.ts";
import { adminOnlyNode } from "../graphql/nodes.ts";
import { ACCESS_DATA, CUSTOMERS_READ, CUSTOMERS_WRITE, TENANT_ADMIN } from "../graphql/policies.ts";
import { assignRole, createRole, deleteRole, findRole, listRoles, unassignRole, updateRole } from "./roles.ts";

// Roles and role pairs. Nested lists are Prisma relations: folded into the parent's query.

export const RoleRef = builder.prismaNode("Role", {
  ...adminOnlyNode(ACCESS_DATA),
  description: "A named set of permissions, granted to customers tenant-wide or for one organization.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Unique within the tenant; what the `roles` and `org_roles` token claims carry." }),
    description: t.exposeString("description", { nullable: true }),
    permissions: t.exposeStringList("permissions", { description: "resource:action strings, e.g. invoices:read." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    assignments: t.relatedConnection("assignments", {
      cursor: "id",
      description: "Who holds the role, newest first (each assignment's customer needs CUSTOMERS_READ).",
      totalCount: true,
      query: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] },
    }),
  }),
});

export const RoleAssignmentRef = builder.prismaNode("RoleAssignment", {
  ...adminOnlyNode(ACCESS_DATA),
  description: "A role pair of a customer: the role for one organization, or tenant-wide (organization null).",
  fields: (t) => ({
    role: t.relation("role"),
    organization: t.relation("organization", { nullable: true, description: "Null: the role holds tenant-wide." }),
    customer: t.relation("customer", { authScopes: CUSTOMERS_READ, type: CustomerRef }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.prismaObjectField("Organization", "roleAssignments", (t) =>
  t.relatedConnection("roleAssignments", {
    cursor: "id",
    description: "Role pairs granted for this organization (members or not), newest first.",
    query: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] },
  }),
);

builder.prismaObjectField("Customer", "roleAssignments", (t) =>
  t.relatedConnection("roleAssignments", {
    cursor: "id",
    authScopes: CUSTOMERS_READ,
    description: "The customer's role pairs, oldest first.",
    query: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
  }),
);

builder.queryFields((t) => ({
  role: t.prismaField({
    type: "Role",
    nullable: true,
    authScopes: ACCESS_DATA,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = localIdOrNull(args.id, "Role");
      return id ? findRole(adminService(ctx), id, query) : null;
    },
  }),
  roles: t.prismaConnection(
    {
      type: "Role",
      cursor: "id",
      authScopes: ACCESS_DATA,
      description: "The tenant's roles by name.",
      resolve: (query, _root, _args, ctx) => listRoles(adminService(ctx), query),
    },
    { name: "RoleConnection" },
  ),
}));

const RoleInput = builder.inputType("RoleInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1 to 100 characters, unique within the tenant." }),
    description: t.string({ description: "At most 1000 characters." }),
    permissions: t.stringList({ description: "resource:action, lower case (invoices:read, reports:*); at most 100, duplicates dropped." }),
  }),
});

const RolePatch = builder.inputType("RolePatch", {
  description: "Only the fields given change; permissions replace the list.",
  fields: (t) => ({ name: t.string(), description: t.string(), permissions: t.stringList() }),
});

const roleId = (id: string) => localIdOrNull(id, "Role") ?? "";

builder.mutationFields((t) => ({
  createRole: t.field({
    ...mutationResult(RoleRef, "role", TENANT_ADMIN),
    args: { input: t.arg({ type: RoleInput, required: true }) },
    resolve: (_root, { input }, ctx) => createRole(adminService(ctx), input),
  }),
  updateRole: t.field({
    ...mutationResult(RoleRef, "role", TENANT_ADMIN),
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: RolePatch, required: true }) },
    resolve: (_root, { id, input }, ctx) => updateRole(adminService(ctx), roleId(id), input),
  }),
  deleteRole: t.field({
    ...mutationResult("ID", "deletedRoleId", TENANT_ADMIN),
    description: "Deletes the role and every assignment of it.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => answeringId(id, () => deleteRole(adminService(ctx), roleId(id))),
  }),
  assignRole: t.field({
    ...mutationResult(RoleAssignmentRef, "roleAssignment", CUSTOMERS_WRITE),
    description:
      "Grants a role pair: the role for organizationId, or tenant-wide without it. Membership of the organization is not required. " +
      "A pair the customer already has is answered as it is and records nothing.",
    args: { ...customerIdArg, roleId: t.arg.id({ required: true }), organizationId: t.arg.id() },
    resolve: (_root, args, ctx) =>
      assignRole(
        adminService(ctx),
        customerLocalId(args.customerId),
        roleId(args.roleId),
        args.organizationId == null ? null : (localIdOrNull(args.organizationId, "Organization") ?? ""),
      ),
  }),
  unassignRole: t.field({
    ...mutationResult("ID", "deletedRoleAssignmentId", CUSTOMERS_WRITE),
    description: "Takes a role pair away (the customer's next access token no longer carries it).",
    args: { id: t.arg.id({ required: true, description: "The RoleAssignment ID." }) },
    resolve: (_root, { id }, ctx) => answeringId(id, () => unassignRole(adminService(ctx), localIdOrNull(id, "RoleAssignment") ?? "")),
  }),
}));
