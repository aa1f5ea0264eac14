import { z } from "zod";
import { requireCustomer } from "../db/customer-lock.ts";
import { isUniqueViolation } from "../db/unique.ts";
import { diff, transact, type Tx } from "../db/transact.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import type { Prisma, Role, RoleAssignment } from "../generated/prisma/client.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { descriptionField, nameField, pageArgs } from "./members.ts";
import { requireOrganization } from "./organizations.ts";

// Roles: named sets of permission strings, granted to customers as role pairs — (role, an
// organization) or (role, tenant-wide). Membership of the organization is not required (seed 002).
// Assigning a pair the customer already has is an idempotent no-op: it answers the existing
// assignment and records nothing (bulk tools can repeat it safely).

/** `resource:action`, lower case: invoices:read, billing.invoices:write, reports:*. */
export const PERMISSION = /^[a-z0-9][a-z0-9_.-]{0,63}:(?:\*|[a-z0-9][a-z0-9_.-]{0,63})$/;
export const MAX_PERMISSIONS = 100;

const permissions = z
  .array(z.string().regex(PERMISSION, "resource:action, lower case (e.g. invoices:read)"))
  .max(MAX_PERMISSIONS, `at most ${MAX_PERMISSIONS} permissions`)
  .transform((list) => [...new Set(list)]);

const fields = { name: nameField, description: descriptionField, permissions };

export interface RoleInput {
  name: string;
  description?: string | null;
  permissions?: string[] | null;
}

type Relations = { include?: Prisma.RoleInclude; select?: Prisma.RoleSelect };

/** One role of the caller's tenant, or null. Cost: one indexed statement. */
export function findRole(ctx: ServiceContext, id: string, relations: Relations = {}): Promise<Role | null> {
  return isUuid(id) ? ctx.db.role.findFirst({ ...relations, where: { id, tenantId: ctx.tenantId } }) : Promise.resolve(null);
}

/** A page of the tenant's roles by name. Cost: one statement. */
export function listRoles(ctx: ServiceContext, page: { cursor?: { id?: unknown }; take?: number; skip?: number } & Relations) {
  return ctx.db.role.findMany(pageArgs(page, ctx.tenantId));
}

async function requireRole(tx: Tx, ctx: ServiceContext, id: string): Promise<Role> {
  const role = isUuid(id) ? await tx.role.findFirst({ where: { id, tenantId: ctx.tenantId } }) : null;
  if (!role) throw new NotFoundError("ROLE_NOT_FOUND");
  return role;
}

async function translate<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isUniqueViolation(error, "name")) throw new ConflictError("ROLE_NAME_TAKEN", "name", "another role has this name");
    throw error;
  }
}

/** Creates a role (permissions deduplicated, order kept). Records `role.created`. Cost: one transaction. */
export function createRole(ctx: ServiceContext, input: RoleInput): Promise<Role> {
  const parsed = parseInput(z.object({ ...fields, permissions: permissions.nullish() }), input, "input");
  const data = { name: parsed.name, description: parsed.description ?? null, permissions: parsed.permissions ?? [] };
  return translate(
    transact(ctx, async (tx, audit) => {
      const role = await tx.role.create({ data: { tenantId: ctx.tenantId, ...data } });
      await audit({ type: "role.created", data: { roleId: role.id, ...data } });
      return role;
    }),
  );
}

/** Changes what is given (permissions replace the list). Records `role.updated`; no change records nothing. */
export function updateRole(
  ctx: ServiceContext,
  id: string,
  patch: Partial<{ [K in keyof RoleInput]: RoleInput[K] | null }>,
): Promise<Role> {
  const parsed = parseInput(z.object({ ...fields, name: fields.name.nullish(), permissions: permissions.nullish() }), patch, "input");
  return translate(
    transact(ctx, async (tx, audit) => {
      const before = await requireRole(tx, ctx, id);
      const next = {
        name: parsed.name ?? before.name,
        description: parsed.description === undefined ? before.description : parsed.description,
        permissions: parsed.permissions ?? before.permissions,
      };
      const changes = diff(before as Record<string, unknown>, next);
      if (Object.keys(changes).length === 0) return before;
      const role = await tx.role.update({ where: { id: before.id }, data: next });
      await audit({ type: "role.updated", data: { roleId: role.id, name: role.name, changes } });
      return role;
    }),
  );
}

/** Deletes a role and every assignment of it. Records `role.deleted` with how many there were. */
export async function deleteRole(ctx: ServiceContext, id: string): Promise<void> {
  await transact(ctx, async (tx, audit) => {
    const role = await requireRole(tx, ctx, id);
    const assignmentCount = await tx.roleAssignment.count({ where: { roleId: role.id } });
    await tx.role.delete({ where: { id: role.id } });
    await audit({ type: "role.deleted", data: { roleId: role.id, name: role.name, assignmentCount } });
  });
}

/**
 * Grants a role pair: the role for one organization, or tenant-wide without one. A pair the
 * customer has already is answered as it is, recording nothing. Records `customer.role_assigned`.
 * Customer, role and organization must all be the caller's tenant's (else their NOT_FOUND).
 * Cost: one transaction — customer locked, role, organization, the existing pair, INSERT, event.
 */
export function assignRole(
  ctx: ServiceContext,
  customerId: string,
  roleId: string,
  organizationId: string | null,
): Promise<RoleAssignment> {
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const role = await requireRole(tx, ctx, roleId);
    const organization = organizationId === null ? null : await requireOrganization(tx, ctx, organizationId);
    const pair = { tenantId: ctx.tenantId, customerId: customer.id, roleId: role.id, organizationId: organization?.id ?? null };
    // The customer row is locked: no concurrent assignment of the same pair can slip in between.
    const existing = await tx.roleAssignment.findFirst({ where: pair });
    if (existing) return existing;
    const assignment = await tx.roleAssignment.create({ data: pair });
    const data = {
      assignmentId: assignment.id,
      roleId: role.id,
      role: role.name,
      organizationId: pair.organizationId,
      organization: organization?.name ?? null,
    };
    await audit({ type: "customer.role_assigned", customerId: customer.id, data });
    return assignment;
  });
}

/** Takes a role pair away by its assignment id. Records `customer.role_unassigned`. Cost: one transaction. */
export async function unassignRole(ctx: ServiceContext, assignmentId: string): Promise<void> {
  await transact(ctx, async (tx, audit) => {
    const where = { id: assignmentId, tenantId: ctx.tenantId };
    const found = isUuid(assignmentId) ? await tx.roleAssignment.findFirst({ where, include: { role: true, organization: true } }) : null;
    if (!found) throw new NotFoundError("ROLE_ASSIGNMENT_NOT_FOUND");
    await requireCustomer(tx, ctx, found.customerId);
    const deleted = await tx.roleAssignment.deleteMany({ where: { id: found.id } });
    if (deleted.count === 0) throw new NotFoundError("ROLE_ASSIGNMENT_NOT_FOUND");
    const data = {
      assignmentId: found.id,
      roleId: found.roleId,
      role: found.role.name,
      organizationId: found.organizationId,
      organization: found.organization?.name ?? null,
    };
    await audit({ type: "customer.role_unassigned", customerId: found.customerId, data });
  });
}
