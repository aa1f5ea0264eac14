import { z } from "zod";
import { diff, transact } from "../db/transact.ts";
import { isUniqueViolation } from "../db/unique.ts";
import { ConflictError, NotFoundError, RuleViolationError, ValidationError } from "../errors.ts";
import type { Prisma, VerificationPolicy } from "../generated/prisma/client.ts";
import { VerificationMethod } from "../generated/prisma/enums.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";

// Verification policies: the tenant's named rules for checking a person's identity by hand
// (seed 002). A policy lists the methods it accepts; every manual verification names one policy
// and one of its methods, so "verified" always says under which rule and how.

const methods = z
  .array(z.enum(Object.values(VerificationMethod) as [VerificationMethod, ...VerificationMethod[]]))
  .min(1, "give at least one method")
  .transform((list) => [...new Set(list)]);

const fields = {
  name: z.string().trim().min(1, "give a name").max(100, "at most 100 characters"),
  description: z.string().trim().max(1_000, "at most 1000 characters").nullish(),
  methods,
};

export interface VerificationPolicyInput {
  name: string;
  description?: string | null;
  methods: VerificationMethod[];
}

export type VerificationPolicyPatch = Partial<{ [K in keyof VerificationPolicyInput]: VerificationPolicyInput[K] | null }>;

type Relations = { include?: Prisma.VerificationPolicyInclude; select?: Prisma.VerificationPolicySelect };

/** One policy of the caller's tenant, or null. Cost: one indexed statement. */
export async function findVerificationPolicy(ctx: ServiceContext, id: string, relations: Relations = {}) {
  return isUuid(id) ? ctx.db.verificationPolicy.findFirst({ ...relations, where: { id, tenantId: ctx.tenantId } }) : null;
}

/** A page of the tenant's policies by name, as Pothos's prismaConnection asks for it. Cost: one statement. */
export function listVerificationPolicies(
  ctx: ServiceContext,
  page: { cursor?: { id?: unknown }; take?: number; skip?: number } & Relations,
) {
  const cursor = page.cursor?.id;
  if (cursor !== undefined && (typeof cursor !== "string" || !isUuid(cursor)))
    throw new ValidationError([{ field: "after", message: "not a cursor returned by this list" }]);
  return ctx.db.verificationPolicy.findMany({
    ...(page as object),
    cursor: cursor ? { id_tenantId: { id: cursor, tenantId: ctx.tenantId } } : undefined,
    where: { tenantId: ctx.tenantId },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
}

async function translate<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isUniqueViolation(error, "name")) throw new ConflictError("VERIFICATION_POLICY_NAME_TAKEN", "name", "another policy has this name");
    throw error;
  }
}

/** Creates a policy. Records `verification_policy.created`. Cost: one transaction — an INSERT and the event. */
export async function createVerificationPolicy(ctx: ServiceContext, input: VerificationPolicyInput): Promise<VerificationPolicy> {
  const data = parseInput(z.object(fields), input, "input");
  return translate(
    transact(ctx, async (tx, audit) => {
      const policy = await tx.verificationPolicy.create({ data: { tenantId: ctx.tenantId, ...data } });
      await audit({ type: "verification_policy.created", data: { policyId: policy.id, name: policy.name, methods: policy.methods } });
      return policy;
    }),
  );
}

/**
 * Changes the fields given. Removing a method leaves earlier verifications by it standing (they
 * record what was accepted then). Records `verification_policy.updated` with the changes, nothing
 * when nothing changes. Throws VERIFICATION_POLICY_NOT_FOUND, VERIFICATION_POLICY_NAME_TAKEN.
 */
export async function updateVerificationPolicy(
  ctx: ServiceContext,
  id: string,
  patch: VerificationPolicyPatch,
): Promise<VerificationPolicy> {
  const schema = z.object({ name: fields.name.optional(), description: fields.description, methods: methods.optional() });
  const given = parseInput(schema, { ...patch, name: patch.name ?? undefined, methods: patch.methods ?? undefined }, "input");
  return translate(
    transact(ctx, async (tx, audit) => {
      const before = isUuid(id) ? await tx.verificationPolicy.findFirst({ where: { id, tenantId: ctx.tenantId } }) : null;
      if (!before) throw new NotFoundError("VERIFICATION_POLICY_NOT_FOUND");
      const changes = diff(before, given);
      if (Object.keys(changes).length === 0) return before;
      const after = await tx.verificationPolicy.update({ where: { id: before.id }, data: given });
      await audit({ type: "verification_policy.updated", data: { policyId: id, changes } });
      return after;
    }),
  );
}

/**
 * Deletes a policy that no verification names (those are history and keep their policy):
 * INVALID_STATE otherwise. Records `verification_policy.deleted`. Throws VERIFICATION_POLICY_NOT_FOUND.
 */
export async function deleteVerificationPolicy(ctx: ServiceContext, id: string): Promise<void> {
  await transact(ctx, async (tx, audit) => {
    const policy = isUuid(id) ? await tx.verificationPolicy.findFirst({ where: { id, tenantId: ctx.tenantId } }) : null;
    if (!policy) throw new NotFoundError("VERIFICATION_POLICY_NOT_FOUND");
    if (await tx.identityVerification.findFirst({ where: { policyId: id, tenantId: ctx.tenantId }, select: { id: true } }))
      throw new RuleViolationError("INVALID_STATE", "verifications were recorded under this policy; it stays as their history");
    await tx.verificationPolicy.delete({ where: { id } });
    await audit({ type: "verification_policy.deleted", data: { policyId: id, name: policy.name } });
  });
}
