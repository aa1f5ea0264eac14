import { createCredential, listCredentials, revokeCredentialByKeyId } from "../admin-auth/service.ts";
import { findTenantIdBySlug } from "../tenants/service.ts";
import { NotFoundError } from "../errors.ts";
import type { AdminScope } from "../generated/prisma/enums.ts";
import { ALL_SCOPES } from "../security/scopes.ts";
import { serviceContext, type ServiceContext } from "../service-context.ts";
import type { CliContext } from "./context.ts";

export async function runCredentialCommand(command: string | undefined, ctx: CliContext): Promise<number> {
  const service = await tenantService(ctx);
  if (command === "create") {
    // Least privilege: the operator names every scope; nothing is granted by default.
    if (!ctx.options.scopes) {
      ctx.print(`--scopes is required: a comma-separated list of ${ALL_SCOPES.join(", ")}.`);
      return 2;
    }
    const scopes = ctx.options.scopes.split(",").map((s) => s.trim().toUpperCase() as AdminScope);
    const { credential, secret } = await createCredential(service, { name: ctx.options.name ?? "", scopes });
    ctx.print(`Issued "${credential.name}" with scopes ${credential.scopes.join(", ")} — the secret is shown only now:`);
    ctx.print(`  X-API-Key:    ${credential.keyId}`);
    ctx.print(`  X-API-Secret: ${secret}`);
    return 0;
  }
  if (command === "revoke") {
    const [keyId] = ctx.args;
    const revoked = await revokeCredentialByKeyId(service, keyId ?? "");
    ctx.print(`Revoked ${revoked.keyId}.`);
    return 0;
  }
  if (command === "list") {
    // Revoked ones too, oldest first; the secret is stored only as a hash and never shown.
    for (const c of await listCredentials(service, {}, true)) {
      const used = c.lastUsedAt ? `last used ${c.lastUsedAt.toISOString()}` : "never used";
      const state = c.revokedAt ? `  revoked ${c.revokedAt.toISOString()}` : "";
      ctx.print(`${c.keyId}  "${c.name}"  ${c.scopes.join(",")}  created ${c.createdAt.toISOString()}  ${used}${state}`);
    }
    return 0;
  }
  ctx.print(`Unknown credential command "${command ?? ""}": use create, list or revoke.`);
  return 2;
}

/** The CLI acts as SYSTEM on the tenant named by --tenant. */
export async function tenantService(ctx: CliContext): Promise<ServiceContext> {
  return serviceContext({ db: ctx.database.prisma, events: ctx.events }, await tenantIdOption(ctx), { kind: "SYSTEM", id: "cli" });
}

/** The id of the tenant --tenant names; TENANT_NOT_FOUND otherwise. */
export async function tenantIdOption(ctx: CliContext): Promise<string> {
  const tenantId = await findTenantIdBySlug(ctx.database.prisma, ctx.options.tenant ?? "");
  if (!tenantId) throw new NotFoundError("TENANT_NOT_FOUND", `no tenant "${ctx.options.tenant ?? ""}" (give --tenant <slug>)`);
  return tenantId;
}
