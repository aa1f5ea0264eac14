import { z } from "zod";
import { requireCustomer } from "../db/customer-lock.ts";
import { transact, type Tx } from "../db/transact.ts";
import { NotFoundError, RuleViolationError, ValidationError } from "../errors.ts";
import type { IdentityVerification } from "../generated/prisma/client.ts";
import type { VerificationMethod } from "../generated/prisma/enums.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";

// Manual identity verification (seed 002): an admin who has proof of who a customer is records
// it under one of the tenant's verification policies and one of its methods, with a note on the
// evidence. Verifications are never deleted: revoking one stamps who, when and why, and the row
// stays in the customer's history. A customer is identity-verified while an unrevoked one exists.

const verifyInput = z.object({
  policyId: z.string(),
  method: z.string(),
  note: z.string().trim().min(1, "say what evidence was checked").max(2_000, "at most 2000 characters"),
});

const revokeInput = z.object({ reason: z.string().trim().min(1, "give a reason").max(1_000, "at most 1000 characters") });

/** The acting admin credential and its name now (stored: credentials are renamed and revoked later). */
async function actingAdmin(tx: Tx, ctx: ServiceContext): Promise<{ id: string; name: string }> {
  const id = ctx.actor.kind === "ADMIN" ? ctx.actor.id : null;
  const credential = id ? await tx.adminCredential.findFirst({ where: { id, tenantId: ctx.tenantId }, select: { name: true } }) : null;
  // Only admin credentials reach these services (CUSTOMERS_WRITE); anything else is a wiring bug.
  if (!id || !credential) throw new Error("identity verification needs an admin credential as the actor");
  return { id, name: credential.name };
}

/**
 * Records that an admin verified the customer's identity under `policyId` by `method` (one of
 * the policy's methods: VALIDATION_FAILED on `method` otherwise). Records `customer.identity_verified`.
 * Throws CUSTOMER_NOT_FOUND, VERIFICATION_POLICY_NOT_FOUND, VALIDATION_FAILED.
 * Cost: one transaction — customer row lock, two indexed reads, one INSERT, the event.
 */
export async function verifyCustomerIdentity(
  ctx: ServiceContext,
  customerId: string,
  input: { policyId: string; method: VerificationMethod; note: string },
): Promise<IdentityVerification> {
  const data = parseInput(verifyInput, input, "input");
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const policy = isUuid(data.policyId)
      ? await tx.verificationPolicy.findFirst({ where: { id: data.policyId, tenantId: ctx.tenantId } })
      : null;
    if (!policy) throw new NotFoundError("VERIFICATION_POLICY_NOT_FOUND");
    const method = policy.methods.find((m) => m === data.method);
    if (!method)
      throw new ValidationError([{ field: "input.method", message: `not a method of this policy (${policy.methods.join(", ")})` }]);
    const admin = await actingAdmin(tx, ctx);
    const verification = await tx.identityVerification.create({
      data: {
        tenantId: ctx.tenantId,
        customerId: customer.id,
        policyId: policy.id,
        method,
        note: data.note,
        verifiedById: admin.id,
        verifiedByName: admin.name,
      },
    });
    await audit({
      type: "customer.identity_verified",
      customerId: customer.id,
      data: { verificationId: verification.id, policyId: policy.id, policy: policy.name, method, note: data.note },
    });
    return verification;
  });
}

/**
 * Revokes a verification (the identity carries a risk). The row stays as history with who, when
 * and why. Records `customer.identity_verification_revoked`. Throws IDENTITY_VERIFICATION_NOT_FOUND,
 * INVALID_STATE when it is already revoked.
 * Cost: one transaction — one indexed read, the customer row lock, one UPDATE, the event.
 */
export async function revokeIdentityVerification(
  ctx: ServiceContext,
  id: string,
  input: { reason: string },
): Promise<IdentityVerification> {
  const { reason } = parseInput(revokeInput, input);
  return transact(ctx, async (tx, audit) => {
    const found = isUuid(id) ? await tx.identityVerification.findFirst({ where: { id, tenantId: ctx.tenantId } }) : null;
    if (!found) throw new NotFoundError("IDENTITY_VERIFICATION_NOT_FOUND");
    await requireCustomer(tx, ctx, found.customerId);
    const admin = await actingAdmin(tx, ctx);
    // Guarded: of two concurrent revocations exactly one stamps the row.
    const [revoked] = await tx.identityVerification.updateManyAndReturn({
      where: { id, tenantId: ctx.tenantId, revokedAt: null },
      data: { revokedAt: new Date(), revokedById: admin.id, revokedByName: admin.name, revokeReason: reason },
    });
    if (!revoked) throw new RuleViolationError("INVALID_STATE", "this verification is already revoked");
    await audit({
      type: "customer.identity_verification_revoked",
      customerId: found.customerId,
      data: { verificationId: id, policyId: found.policyId, method: found.method, reason },
    });
    return revoked;
  });
}
