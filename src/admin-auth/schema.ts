import { adminActor } from "../service-context.ts";
import { builder } from "../graphql/builder.ts";
import { mutationResult } from "../graphql/common.ts";
import { adminOnlyNode } from "../graphql/nodes.ts";
import { ADMIN_DATA, ADMIN_ONLY, CREDENTIAL_DATA } from "../graphql/policies.ts";
import { adminService } from "../graphql/context.ts";
import { localId } from "../graphql/ids.ts";
import { AdminScope } from "../generated/prisma/enums.ts";
import { createCredential, findOwnCredential, findOwnTenant, listCredentials, revokeCredential, type IssuedCredential } from "./service.ts";

const AdminScopeEnum = builder.enumType(AdminScope, { name: "AdminScope" });

builder.prismaObject("Tenant", {
  description: "An identity store. Everything else belongs to exactly one.",
  authScopes: ADMIN_DATA,
  fields: (t) => ({
    id: t.exposeID("id"),
    slug: t.exposeString("slug"),
    name: t.exposeString("name"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const AdminCredentialRef = builder.prismaNode("AdminCredential", {
  ...adminOnlyNode(CREDENTIAL_DATA),
  // TENANT_ADMIN reads every credential of the tenant; any credential reads itself (currentAdmin).
  authScopes: (credential, ctx) => (ctx.admin?.credentialId === credential.id ? ADMIN_DATA : CREDENTIAL_DATA),
  description: "An API key id + secret for admin tools. The secret is never readable.",
  fields: (t) => ({
    keyId: t.exposeString("keyId", { description: "Send as X-API-Key." }),
    name: t.exposeString("name"),
    scopes: t.field({ type: [AdminScopeEnum], resolve: (c) => c.scopes }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true, description: "Updated at most once a minute." }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
  }),
});

const IssuedCredentialRef = builder.objectRef<IssuedCredential>("IssuedAdminCredential").implement({
  authScopes: CREDENTIAL_DATA,
  fields: (t) => ({
    credential: t.field({ type: AdminCredentialRef, resolve: (i) => i.credential }),
    secret: t.exposeString("secret", { description: "Send as X-API-Secret. Shown only this once." }),
  }),
});

/** The row id inside a list cursor; a forged one is a typed input error, not a failing query. */
builder.queryFields((t) => ({
  currentAdmin: t.prismaField({
    type: "AdminCredential",
    authScopes: ADMIN_ONLY,
    description: "The credential this request authenticated with.",
    resolve: (query, _root, _args, ctx) => findOwnCredential({ ...adminService(ctx), credentialId: ctx.admin!.credentialId }, query),
  }),
  currentTenant: t.prismaField({
    type: "Tenant",
    authScopes: ADMIN_ONLY,
    resolve: (query, _root, _args, ctx) => findOwnTenant(adminService(ctx), query),
  }),
  adminCredentials: t.prismaConnection(
    {
      type: "AdminCredential",
      cursor: "id",
      authScopes: CREDENTIAL_DATA,
      args: { includeRevoked: t.arg.boolean({ defaultValue: false, required: true }) },
      resolve: (query, _root, args, ctx) => listCredentials(adminService(ctx), query, args.includeRevoked),
    },
    { name: "AdminCredentialConnection" },
  ),
}));

builder.mutationFields((t) => ({
  createAdminCredential: t.field({
    ...mutationResult(IssuedCredentialRef, "issued", CREDENTIAL_DATA),
    description: "Issues a credential for this tenant; the secret is in the answer and nowhere else.",
    args: {
      name: t.arg.string({ required: true }),
      scopes: t.arg({
        type: [AdminScopeEnum],
        description: "At most the scopes of the credential making the call. Default: its read-only ones (CUSTOMERS_READ, AUDIT_READ).",
      }),
    },
    resolve: (_root, args, ctx) =>
      createCredential(adminService(ctx), { name: args.name, scopes: args.scopes ?? undefined }, ctx.admin!.scopes),
  }),
  revokeAdminCredential: t.field({
    ...mutationResult(AdminCredentialRef, "credential", CREDENTIAL_DATA),
    description: "Requests with this credential fail from now on. Revoking twice is harmless.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const credential = await revokeCredential(adminService(ctx), localId(args.id, "AdminCredential", "CREDENTIAL_NOT_FOUND"));
      // Beside credential.revoked: the security category a SIEM follows (log line + security.* event).
      ctx.security.record({
        kind: "credential_revoked",
        tenantId: credential.tenantId,
        subject: credential.id,
        actor: adminActor(ctx.admin!),
        request: ctx.request,
        data: { credentialId: credential.id, keyId: credential.keyId, name: credential.name },
      });
      return credential;
    },
  }),
}));
