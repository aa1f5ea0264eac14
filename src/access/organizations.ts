import { z } from "zod";
import { isUniqueViolation } from "../db/unique.ts";
import { diff, transact, type Tx } from "../db/transact.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import type { Organization, Prisma } from "../generated/prisma/client.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { lockCustomers, memberIds, nameField, pageArgs } from "./members.ts";

// Organizations: the tenant's business customers (B2B). Customers may be members; roles may be
// granted per organization (roles.ts) with or without membership — seed 002: "only role-pair
// assignments count".

export interface OrganizationInput {
  name: string;
  domain?: string | null;
  metadata?: Record<string, unknown> | null;
}

export type OrganizationPatch = Partial<{ [K in keyof OrganizationInput]: OrganizationInput[K] | null }>;

/** Metadata kept small: it is read with every organization. */
export const MAX_METADATA_BYTES = 16_384;

// A DNS name of two or more labels (acme.com, eu.acme.co.uk): letters, digits, inner hyphens.
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

const fields = {
  name: nameField,
  domain: z.string().trim().toLowerCase().regex(DOMAIN, "a domain name such as acme.com").nullish(),
  metadata: z
    .record(z.string(), z.unknown())
    .refine((m) => Buffer.byteLength(JSON.stringify(m)) <= MAX_METADATA_BYTES, `at most ${MAX_METADATA_BYTES} bytes as JSON`)
    .nullish(),
};

type Relations = { include?: Prisma.OrganizationInclude; select?: Prisma.OrganizationSelect };

/** One organization of the caller's tenant, or null. Cost: one indexed statement. */
export function findOrganization(ctx: ServiceContext, id: string, relations: Relations = {}): Promise<Organization | null> {
  return isUuid(id) ? ctx.db.organization.findFirst({ ...relations, where: { id, tenantId: ctx.tenantId } }) : Promise.resolve(null);
}

/** A page of the tenant's organizations by name. Cost: one statement. */
export function listOrganizations(ctx: ServiceContext, page: { cursor?: { id?: unknown }; take?: number; skip?: number } & Relations) {
  return ctx.db.organization.findMany(pageArgs(page, ctx.tenantId));
}

export async function requireOrganization(tx: Tx, ctx: ServiceContext, id: string): Promise<Organization> {
  const organization = isUuid(id) ? await tx.organization.findFirst({ where: { id, tenantId: ctx.tenantId } }) : null;
  if (!organization) throw new NotFoundError("ORGANIZATION_NOT_FOUND");
  return organization;
}

async function translate<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isUniqueViolation(error, "domain"))
      throw new ConflictError("ORGANIZATION_DOMAIN_TAKEN", "domain", "another organization has this domain");
    if (isUniqueViolation(error, "name")) throw new ConflictError("ORGANIZATION_NAME_TAKEN", "name", "another organization has this name");
    throw error;
  }
}

const json = (value: unknown) => value as Prisma.InputJsonObject;

/** Creates an organization. Records `organization.created`. Cost: one transaction. */
export function createOrganization(ctx: ServiceContext, input: OrganizationInput): Promise<Organization> {
  const parsed = parseInput(z.object(fields), input, "input");
  const data = { name: parsed.name, domain: parsed.domain ?? null, metadata: json(parsed.metadata ?? {}) };
  return translate(
    transact(ctx, async (tx, audit) => {
      const organization = await tx.organization.create({ data: { tenantId: ctx.tenantId, ...data } });
      await audit({ type: "organization.created", data: { organizationId: organization.id, ...data } });
      return organization;
    }),
  );
}

/** Changes what is given (domain: null clears it). Records `organization.updated`; no change records nothing. */
export function updateOrganization(ctx: ServiceContext, id: string, patch: OrganizationPatch): Promise<Organization> {
  const parsed = parseInput(z.object({ ...fields, name: fields.name.nullish() }), patch, "input");
  return translate(
    transact(ctx, async (tx, audit) => {
      const before = await requireOrganization(tx, ctx, id);
      const next = {
        name: parsed.name ?? before.name,
        domain: parsed.domain === undefined ? before.domain : parsed.domain,
        metadata: json(parsed.metadata ?? before.metadata),
      };
      const changes = diff(before as Record<string, unknown>, next);
      if (Object.keys(changes).length === 0) return before;
      const organization = await tx.organization.update({ where: { id: before.id }, data: next });
      await audit({ type: "organization.updated", data: { organizationId: organization.id, name: organization.name, changes } });
      return organization;
    }),
  );
}

/**
 * Deletes an organization, its memberships and the role pairs granted on it. Records
 * `organization.deleted` with the counts. Cost: one transaction.
 */
export async function deleteOrganization(ctx: ServiceContext, id: string): Promise<void> {
  await transact(ctx, async (tx, audit) => {
    const organization = await requireOrganization(tx, ctx, id);
    // One after the other: a transaction's statements share one connection.
    const memberCount = await tx.organizationMembership.count({ where: { organizationId: organization.id } });
    const roleAssignmentCount = await tx.roleAssignment.count({ where: { organizationId: organization.id } });
    await tx.organization.delete({ where: { id: organization.id } });
    const data = { organizationId: organization.id, name: organization.name, memberCount, roleAssignmentCount };
    await audit({ type: "organization.deleted", data });
  });
}

/**
 * Makes customers members; existing members are left alone. One `customer.organization_added`
 * per customer added. Unknown or foreign customers: CUSTOMER_NOT_FOUND, nothing written.
 */
export function addOrganizationMembers(ctx: ServiceContext, organizationId: string, customerIds: string[]): Promise<Organization> {
  const ids = memberIds(customerIds);
  return transact(ctx, async (tx, audit) => {
    const organization = await requireOrganization(tx, ctx, organizationId);
    await lockCustomers(tx, ctx, ids);
    const where = { organizationId: organization.id, customerId: { in: ids } };
    const have = new Set((await tx.organizationMembership.findMany({ where, select: { customerId: true } })).map((m) => m.customerId));
    const added = ids.filter((id) => !have.has(id));
    if (added.length === 0) return organization;
    await tx.organizationMembership.createMany({
      data: added.map((customerId) => ({ tenantId: ctx.tenantId, organizationId: organization.id, customerId })),
    });
    const data = { organizationId: organization.id, name: organization.name };
    for (const customerId of added) await audit({ type: "customer.organization_added", customerId, data });
    return organization;
  });
}

/** Ends memberships; non-members are left alone. One `customer.organization_removed` per customer removed. Role pairs stay. */
export function removeOrganizationMembers(ctx: ServiceContext, organizationId: string, customerIds: string[]): Promise<Organization> {
  const ids = memberIds(customerIds);
  return transact(ctx, async (tx, audit) => {
    const organization = await requireOrganization(tx, ctx, organizationId);
    await lockCustomers(tx, ctx, ids);
    const where = { organizationId: organization.id, customerId: { in: ids } };
    const removed = await tx.organizationMembership.findMany({ where, select: { customerId: true } });
    if (removed.length === 0) return organization;
    await tx.organizationMembership.deleteMany({ where });
    const data = { organizationId: organization.id, name: organization.name };
    for (const { customerId } of removed) await audit({ type: "customer.organization_removed", customerId, data });
    return organization;
  });
}
