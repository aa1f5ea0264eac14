import { createTenant, listTenants } from "../tenants/service.ts";
import type { CliContext } from "./context.ts";

export async function runTenantCommand(command: string | undefined, ctx: CliContext): Promise<number> {
  const db = ctx.database.prisma;
  if (command === "create") {
    const [slug] = ctx.args;
    const created = await createTenant(db, ctx.events, { slug: slug ?? "", name: ctx.options.name });
    ctx.print(`Created tenant "${created.tenant.slug}" (${created.tenant.id}).`);
    ctx.print("Its admin credential — the secret is shown only now:");
    ctx.print(`  X-API-Key:    ${created.credential.keyId}`);
    ctx.print(`  X-API-Secret: ${created.secret}`);
    return 0;
  }
  if (command === "list") {
    for (const t of await listTenants(db)) {
      ctx.print(`${t.slug}\t${t.name}\t${t.id}\t${t.createdAt.toISOString()}`);
    }
    return 0;
  }
  ctx.print(`Unknown tenant command "${command ?? ""}": use create or list.`);
  return 2;
}
