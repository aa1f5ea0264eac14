import { z } from "zod";
import { isUniqueViolation } from "../db/unique.ts";
import { diff, transact, type Tx } from "../db/transact.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import type { Group, Prisma } from "../generated/prisma/client.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { descriptionField, lockCustomers, memberIds, nameField, pageArgs } from "./members.ts";

// Groups: named sets of a tenant's customers (seed 002). Definitions are the tenant admin's;
// membership is customer data (CUSTOMERS_WRITE), audited per customer because removing one can
// end that customer's access to applications that restrict by group (the `groups` token claim).

export interface GroupInput {
  name: string;
  description?: string | null;
}

type Relations = { include?: Prisma.GroupInclude; select?: Prisma.GroupSelect };

/** One group of the caller's tenant, or null. Cost: one indexed statement. */
export function findGroup(ctx: ServiceContext, id: string, relations: Relations = {}): Promise<Group | null> {
  return isUuid(id) ? ctx.db.group.findFirst({ ...relations, where: { id, tenantId: ctx.tenantId } }) : Promise.resolve(null);
}

/** A page of the tenant's groups by name, as Pothos's prismaConnection asks for it. Cost: one statement. */
export function listGroups(ctx: ServiceContext, page: { cursor?: { id?: unknown }; take?: number; skip?: number } & Relations) {
  return ctx.db.group.findMany(pageArgs(page, ctx.tenantId));
}

/** The tenant's group `id` (read in `tx`, or outside one on ctx.db), or GROUP_NOT_FOUND. Cost: one indexed read. */
export async function requireGroup(tx: Tx | ServiceContext["db"], ctx: ServiceContext, id: string): Promise<Group> {
  const group = isUuid(id) ? await tx.group.findFirst({ where: { id, tenantId: ctx.tenantId } }) : null;
  if (!group) throw new NotFoundError("GROUP_NOT_FOUND");
  return group;
}

async function translate<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isUniqueViolation(error, "name")) throw new ConflictError("GROUP_NAME_TAKEN", "name", "another group has this name");
    throw error;
  }
}

/** Creates a group. Records `group.created`. Cost: one transaction — INSERT and the event. */
export function createGroup(ctx: ServiceContext, input: GroupInput): Promise<Group> {
  const { name, description } = parseInput(z.object({ name: nameField, description: descriptionField }), input, "input");
  return translate(
    transact(ctx, async (tx, audit) => {
      const group = await tx.group.create({ data: { tenantId: ctx.tenantId, name, description: description ?? null } });
      await audit({ type: "group.created", data: { groupId: group.id, name, description: group.description } });
      return group;
    }),
  );
}

/** Renames or re-describes a group. Records `group.updated` with the changes; no change records nothing. */
export function updateGroup(ctx: ServiceContext, id: string, patch: { name?: string | null; description?: string | null }): Promise<Group> {
  const parsed = parseInput(z.object({ name: nameField.nullish(), description: descriptionField }), patch, "input");
  return translate(
    transact(ctx, async (tx, audit) => {
      const before = await requireGroup(tx, ctx, id);
      const next = {
        name: parsed.name ?? before.name,
        description: parsed.description === undefined ? before.description : parsed.description,
      };
      const changes = diff(before as Record<string, unknown>, next);
      if (Object.keys(changes).length === 0) return before;
      const group = await tx.group.update({ where: { id: before.id }, data: next });
      await audit({ type: "group.updated", data: { groupId: group.id, name: group.name, changes } });
      return group;
    }),
  );
}

/**
 * Deletes a group and its memberships. Records `group.deleted` with how many members it had (one
 * event, not one per member: the group is gone for everyone at once). Cost: one transaction.
 */
export async function deleteGroup(ctx: ServiceContext, id: string): Promise<void> {
  await transact(ctx, async (tx, audit) => {
    const group = await requireGroup(tx, ctx, id);
    const members = await tx.groupMembership.count({ where: { groupId: group.id } });
    await tx.group.delete({ where: { id: group.id } });
    await audit({ type: "group.deleted", data: { groupId: group.id, name: group.name, memberCount: members } });
  });
}

/**
 * Adds customers to a group; those already in it are left alone. Records one
 * `customer.group_added` per customer actually added (none when nothing changed). Unknown or
 * foreign customers: CUSTOMER_NOT_FOUND and nothing written. Cost: one transaction — the group,
 * the customers locked, the existing memberships, one INSERT, the events.
 */
export function addGroupMembers(ctx: ServiceContext, groupId: string, customerIds: string[]): Promise<Group> {
  const ids = memberIds(customerIds);
  return transact(ctx, async (tx, audit) => {
    const group = await requireGroup(tx, ctx, groupId);
    await lockCustomers(tx, ctx, ids);
    const existing = await tx.groupMembership.findMany({
      where: { groupId: group.id, customerId: { in: ids } },
      select: { customerId: true },
    });
    const have = new Set(existing.map((m) => m.customerId));
    const added = ids.filter((id) => !have.has(id));
    if (added.length === 0) return group;
    await tx.groupMembership.createMany({ data: added.map((customerId) => ({ tenantId: ctx.tenantId, groupId: group.id, customerId })) });
    for (const customerId of added)
      await audit({ type: "customer.group_added", customerId, data: { groupId: group.id, name: group.name } });
    return group;
  });
}

/**
 * Removes customers from a group; those not in it are left alone. Records one
 * `customer.group_removed` per customer actually removed. Cost: one transaction.
 */
export function removeGroupMembers(ctx: ServiceContext, groupId: string, customerIds: string[]): Promise<Group> {
  const ids = memberIds(customerIds);
  return transact(ctx, async (tx, audit) => {
    const group = await requireGroup(tx, ctx, groupId);
    await lockCustomers(tx, ctx, ids);
    // The customers are locked, so the memberships read here are the ones the DELETE removes.
    const where = { groupId: group.id, customerId: { in: ids } };
    const removed = await tx.groupMembership.findMany({ where, select: { customerId: true } });
    if (removed.length === 0) return group;
    await tx.groupMembership.deleteMany({ where });
    for (const { customerId } of removed)
      await audit({ type: "customer.group_removed", customerId, data: { groupId: group.id, name: group.name } });
    return group;
  });
}
