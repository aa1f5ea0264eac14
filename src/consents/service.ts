import { z } from "zod";
import { transact } from "../db/transact.ts";
import { requireCustomer } from "../db/customer-lock.ts";
import { NotFoundError } from "../errors.ts";
import type { Consent } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";

// A consent row is one grant of a purpose (e.g. "marketing.email") in one version of its text.
// Rows are never overwritten: revoking, or granting a newer version, stamps `revokedAt` on the
// live grant, so the rows of a purpose are its full history. The database allows at most one
// live grant per customer and purpose (partial unique index consent_one_active_idx).

/** Why a grant ended when a newer version replaced it. */
export const SUPERSEDED = "superseded";

export const purpose = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_.:-]{0,63}$/, "1 to 64 lower-case letters, digits, dots, colons, dashes or underscores, starting with a letter");

const source = z.string().trim().min(1).max(64);

export const grantInput = z.object({
  purpose,
  version: z.string().trim().min(1).max(32),
  source,
});

export type GrantConsentInput = z.input<typeof grantInput>;

/**
 * Grants a purpose in a version. Granting the version that is already live changes nothing and
 * records nothing; granting another version ends the live grant (revokeSource "superseded") and
 * records `consent.granted` with the previous version. Returns the live grant.
 * Throws CUSTOMER_NOT_FOUND, VALIDATION_FAILED.
 * Cost: one transaction — customer row lock (serializes grants of one customer), one indexed
 * lookup of the live grant, at most one UPDATE and one INSERT, `consent.granted`.
 */
export async function grantConsent(ctx: ServiceContext, customerId: string, input: GrantConsentInput): Promise<Consent> {
  const data = parseInput(grantInput, input);
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const live = await tx.consent.findFirst({ where: { customerId: customer.id, purpose: data.purpose, revokedAt: null } });
    if (live?.version === data.version) return live;
    const now = new Date();
    if (live) await tx.consent.update({ where: { id: live.id }, data: { revokedAt: now, revokeSource: SUPERSEDED } });
    const grant = await tx.consent.create({
      data: { tenantId: ctx.tenantId, customerId: customer.id, ...data, grantedAt: now },
    });
    await audit({
      type: "consent.granted",
      customerId: customer.id,
      data: { purpose: data.purpose, version: data.version, previousVersion: live?.version ?? null, source: data.source },
    });
    return grant;
  });
}

const revokeInput = z.object({ purpose, source });

/**
 * Revokes the live grant of a purpose, recording `consent.revoked`. The row stays as history.
 * Throws CONSENT_NOT_FOUND when the purpose has no live grant, CUSTOMER_NOT_FOUND, VALIDATION_FAILED.
 * Cost: one transaction — customer row lock, one indexed lookup, one UPDATE, `consent.revoked`.
 */
export async function revokeConsent(
  ctx: ServiceContext,
  customerId: string,
  purposeKey: string,
  input: { source: string },
): Promise<Consent> {
  const data = parseInput(revokeInput, { purpose: purposeKey, source: input.source });
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const live = await tx.consent.findFirst({ where: { customerId: customer.id, purpose: data.purpose, revokedAt: null } });
    if (!live) throw new NotFoundError("CONSENT_NOT_FOUND");
    const revoked = await tx.consent.update({ where: { id: live.id }, data: { revokedAt: new Date(), revokeSource: data.source } });
    await audit({
      type: "consent.revoked",
      customerId: customer.id,
      data: { purpose: live.purpose, version: live.version, source: data.source },
    });
    return revoked;
  });
}
