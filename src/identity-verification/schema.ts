import { builder } from "../graphql/builder.ts";
import { answeringId, customerIdArg, mutationResult } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { customerLocalId, localIdOrNull } from "../graphql/ids.ts";
import { adminOnlyNode } from "../graphql/nodes.ts";
import { CUSTOMERS_READ, CUSTOMERS_WRITE, TENANT_ADMIN, VERIFICATION_SETUP_DATA } from "../graphql/policies.ts";
import { VerificationMethod } from "../generated/prisma/enums.ts";
import {
  createVerificationPolicy,
  deleteVerificationPolicy,
  findVerificationPolicy,
  listVerificationPolicies,
  updateVerificationPolicy,
} from "./policies.ts";
import { revokeIdentityVerification, verifyCustomerIdentity } from "./service.ts";

// Manual identity verification: policies (TENANT_ADMIN defines them; CUSTOMERS_READ reads them)
// and the verifications admins record on customers (CUSTOMERS_WRITE). A verification's note and
// the admins' names are staff data: admins who read customers see them, the customer does not.

export const VerificationMethodEnum = builder.enumType(VerificationMethod, { name: "VerificationMethod" });

export const VerificationPolicyRef = builder.prismaNode("VerificationPolicy", {
  ...adminOnlyNode(VERIFICATION_SETUP_DATA),
  description: "A named rule for verifying a customer's identity by hand, and the methods it accepts.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Unique within the tenant." }),
    description: t.exposeString("description", { nullable: true }),
    methods: t.field({ type: [VerificationMethodEnum], resolve: (p) => p.methods }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

const AdminRef = builder.objectRef<{ credentialId: string; name: string }>("AdminActor").implement({
  authScopes: CUSTOMERS_READ,
  description: "An admin credential as it was when it acted (its name then).",
  fields: (t) => ({
    credentialId: t.exposeID("credentialId", { description: "Row id of the admin credential." }),
    name: t.exposeString("name"),
  }),
});

export const IdentityVerificationRef = builder.prismaNode("IdentityVerification", {
  ...adminOnlyNode(CUSTOMERS_READ),
  description: "One manual verification of a customer's identity. Revoked ones stay as history.",
  fields: (t) => ({
    policy: t.relation("policy"),
    method: t.field({ type: VerificationMethodEnum, resolve: (v) => v.method }),
    note: t.exposeString("note", { description: "The evidence the admin checked." }),
    verifiedAt: t.expose("verifiedAt", { type: "DateTime" }),
    verifiedBy: t.field({ type: AdminRef, resolve: (v) => ({ credentialId: v.verifiedById, name: v.verifiedByName }) }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
    revokedBy: t.field({
      type: AdminRef,
      nullable: true,
      resolve: (v) => (v.revokedById ? { credentialId: v.revokedById, name: v.revokedByName ?? "" } : null),
    }),
    revokeReason: t.exposeString("revokeReason", { nullable: true }),
    active: t.boolean({ description: "Not revoked.", resolve: (v) => v.revokedAt === null }),
  }),
});

builder.prismaObjectFields("Customer", (t) => ({
  identityVerifications: t.relatedConnection("identityVerifications", {
    cursor: "id",
    authScopes: CUSTOMERS_READ,
    totalCount: true,
    description: "Manual identity verifications, newest first, revoked ones included.",
    query: () => ({ orderBy: [{ verifiedAt: "desc" }, { id: "desc" }] }),
  }),
  identityVerified: t.boolean({
    description: "A manual identity verification that is not revoked exists.",
    select: { identityVerifications: { where: { revokedAt: null }, take: 1, select: { id: true } } },
    resolve: (c) => c.identityVerifications.length > 0,
  }),
}));

builder.queryFields((t) => ({
  verificationPolicy: t.prismaField({
    type: "VerificationPolicy",
    nullable: true,
    authScopes: VERIFICATION_SETUP_DATA,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = localIdOrNull(args.id, "VerificationPolicy");
      return id ? findVerificationPolicy(adminService(ctx), id, query) : null;
    },
  }),
  verificationPolicies: t.prismaConnection(
    {
      type: "VerificationPolicy",
      cursor: "id",
      authScopes: VERIFICATION_SETUP_DATA,
      description: "The tenant's identity verification policies, by name.",
      resolve: (query, _root, _args, ctx) => listVerificationPolicies(adminService(ctx), query),
    },
    { name: "VerificationPolicyConnection" },
  ),
}));

const VerificationPolicyInput = builder.inputType("VerificationPolicyInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1 to 100 characters, unique within the tenant." }),
    description: t.string({ description: "At most 1000 characters." }),
    methods: t.field({ type: [VerificationMethodEnum], required: true, description: "At least one." }),
  }),
});

const VerificationPolicyPatch = builder.inputType("VerificationPolicyPatch", {
  description: "Only the fields given change; description: null clears it.",
  fields: (t) => ({ name: t.string(), description: t.string(), methods: t.field({ type: [VerificationMethodEnum] }) }),
});

const VerifyIdentityInput = builder.inputType("VerifyIdentityInput", {
  fields: (t) => ({
    policyId: t.id({ required: true, description: "A VerificationPolicy global ID." }),
    method: t.field({ type: VerificationMethodEnum, required: true, description: "One of the policy's methods." }),
    note: t.string({ required: true, description: "The evidence checked (1 to 2000 characters)." }),
  }),
});

const returnsPolicy = mutationResult(VerificationPolicyRef, "verificationPolicy", TENANT_ADMIN);
const returnsVerification = mutationResult(IdentityVerificationRef, "identityVerification", CUSTOMERS_WRITE);
const policyId = (id: string) => localIdOrNull(id, "VerificationPolicy") ?? "";

builder.mutationFields((t) => ({
  createVerificationPolicy: t.field({
    ...returnsPolicy,
    args: { input: t.arg({ type: VerificationPolicyInput, required: true }) },
    resolve: (_root, { input }, ctx) => createVerificationPolicy(adminService(ctx), input),
  }),
  updateVerificationPolicy: t.field({
    ...returnsPolicy,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: VerificationPolicyPatch, required: true }) },
    resolve: (_root, { id, input }, ctx) => updateVerificationPolicy(adminService(ctx), policyId(id), input),
  }),
  deleteVerificationPolicy: t.field({
    ...mutationResult("ID", "deletedVerificationPolicyId", TENANT_ADMIN),
    description: "Deletes a policy no verification names (INVALID_STATE otherwise: they keep it as history).",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => answeringId(id, () => deleteVerificationPolicy(adminService(ctx), policyId(id))),
  }),
  verifyCustomerIdentity: t.field({
    ...returnsVerification,
    description: "Records that you verified the customer's identity by hand. Records customer.identity_verified.",
    args: { ...customerIdArg, input: t.arg({ type: VerifyIdentityInput, required: true }) },
    resolve: (_root, { customerId, input }, ctx) =>
      verifyCustomerIdentity(adminService(ctx), customerLocalId(customerId), { ...input, policyId: policyId(String(input.policyId)) }),
  }),
  revokeIdentityVerification: t.field({
    ...returnsVerification,
    description: "Revokes a verification (the identity carries a risk); it stays in the history with who, when and why.",
    args: { id: t.arg.id({ required: true }), reason: t.arg.string({ required: true }) },
    resolve: (_root, { id, reason }, ctx) =>
      revokeIdentityVerification(adminService(ctx), localIdOrNull(id, "IdentityVerification") ?? "", { reason }),
  }),
}));
