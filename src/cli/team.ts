import type { AdminScope } from "../generated/prisma/enums.ts";
import type { Argon2Params } from "../passwords/hashing.ts";
import { ALL_SCOPES } from "../security/scopes.ts";
import { addTeamMember, disableTeamMember, grantStore, listTeamMembers, newTeamPassword, resetTeamMfa } from "../team/service.ts";
import type { CliContext } from "./context.ts";
import { tenantIdOption } from "./credentials.ts";

export async function runTeamCommand(command: string | undefined, ctx: CliContext, argon2: Argon2Params): Promise<number> {
  const db = ctx.database.prisma;
  const email = ctx.options.email ?? "";
  if (command === "add") {
    const password = newTeamPassword();
    const member = await addTeamMember(db, argon2, { email, name: ctx.options.name ?? "", password });
    if (ctx.options.tenant) await grantStore(db, member.email, await tenantIdOption(ctx), scopesOf(ctx));
    ctx.print(`Added ${member.name} <${member.email}> — the console password is shown only now:`);
    ctx.print(`  ${password}`);
    return 0;
  }
  if (command === "grant") {
    await grantStore(db, email, await tenantIdOption(ctx), scopesOf(ctx));
    ctx.print(`Granted ${scopesOf(ctx).join(", ")} in ${ctx.options.tenant} to ${email}.`);
    return 0;
  }
  if (command === "disable") {
    const ended = await disableTeamMember({ db, events: ctx.events }, email);
    ctx.print(`Disabled ${email}; ended ${ended} console session(s).`);
    return 0;
  }
  if (command === "reset-mfa") {
    const had = await resetTeamMfa({ db, events: ctx.events }, email);
    ctx.print(
      had
        ? `Removed the authenticator app of ${email}: their next sign-in asks for the password only.`
        : `${email} has no authenticator app.`,
    );
    return 0;
  }
  if (command === "list") {
    for (const m of await listTeamMembers(db)) {
      const stores = m.grants.map((g) => `${g.tenant.slug}:${g.scopes.join("+")}`).join(" ") || "(no store)";
      const app = m.totpConfirmedAt ? "  authenticator app" : "";
      ctx.print(`${m.email}  "${m.name}"  ${stores}${app}${m.disabledAt ? `  disabled ${m.disabledAt.toISOString()}` : ""}`);
    }
    return 0;
  }
  ctx.print(`Unknown team command "${command ?? ""}": use add, grant, disable, reset-mfa or list.`);
  return 2;
}

/** --scopes, or every scope when not given (the operator names fewer to restrict). */
const scopesOf = (ctx: CliContext): AdminScope[] =>
  ctx.options.scopes ? ctx.options.scopes.split(",").map((s) => s.trim().toUpperCase() as AdminScope) : [...ALL_SCOPES];
