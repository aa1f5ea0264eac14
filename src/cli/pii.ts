import { NotFoundError } from "../errors.ts";
import { sealExistingPhones, sealExistingProfiles } from "../customers/seal-existing.ts";
import { keyringOf } from "../pii/keyring.ts";
import { serviceContext } from "../service-context.ts";
import { findTenantIdBySlug } from "../tenants/service.ts";
import type { CliContext } from "./context.ts";

/**
 * `pii encrypt-existing [--tenant <slug>]`: seals the PII still stored in clear (written before the
 * gateway had a MASTER_KEY, or a custom field marked PII after values were written) for one tenant
 * or all of them, in batches while the gateway keeps running (customers/seal-existing.ts).
 */
export async function runPiiCommand(command: string | undefined, ctx: CliContext): Promise<number> {
  if (command !== "encrypt-existing") {
    ctx.print(`Unknown pii command "${command ?? ""}": use encrypt-existing.`);
    return 2;
  }
  const db = ctx.database.prisma;
  if (!keyringOf(db)) {
    ctx.print("PII at rest needs MASTER_KEY (32 bytes, base64): set it, as for the gateway.");
    return 2;
  }
  const slug = ctx.options.tenant;
  const tenantIds = slug
    ? [await findTenantIdBySlug(db, slug)]
    : (await db.tenant.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((t) => t.id);
  if (tenantIds[0] === null) throw new NotFoundError("TENANT_NOT_FOUND", `no tenant "${slug}"`);
  let [customers, phones] = [0, 0];
  for (const tenantId of tenantIds as string[]) {
    const service = serviceContext({ db, events: ctx.events }, tenantId, { kind: "SYSTEM", id: "cli" });
    customers += await sealExistingProfiles(service);
    phones += await sealExistingPhones(service);
  }
  ctx.print(`Sealed the profile PII of ${customers} customer(s) and ${phones} phone number(s) in ${tenantIds.length} tenant(s).`);
  return 0;
}
