import { createCredential, revokeCredential } from "../admin-auth/service.ts";
import { NotFoundError } from "../errors.ts";
import type { AdminScope } from "../generated/prisma/enums.ts";
import { ALL_SCOPES } from "../security/scopes.ts";
import type { ServiceContext } from "../service-context.ts";
import { NO_REQUEST } from "../service-context.ts";
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
    const found = await ctx.database.prisma.adminCredential.findFirst({ where: { keyId: keyId ?? "", tenantId: service.tenantId } });
    if (!found) throw new NotFoundError("CREDENTIAL_NOT_FOUND");
    await revokeCredential(service, found.id);
    ctx.print(`Revoked ${found.keyId}.`);
    return 0;
  }
  ctx.print(`Unknown credential command "${command ?? ""}": use create or revoke.`);
  return 2;
}

/** The CLI acts as SYSTEM on the tenant named by --tenant. */
async function tenantService(ctx: CliContext): Promise<ServiceContext> {
  const tenant = await ctx.database.prisma.tenant.findUnique({ where: { slug: ctx.options.tenant ?? "" } });
  if (!tenant) throw new NotFoundError("TENANT_NOT_FOUND", `no tenant "${ctx.options.tenant ?? ""}" (give --tenant <slug>)`);
  return { db: ctx.database.prisma, events: ctx.events, tenantId: tenant.id, actor: { kind: "SYSTEM", id: "cli" }, request: NO_REQUEST };
}
