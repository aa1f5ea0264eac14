import { z } from "zod";
import { transact, type Tx } from "../db/transact.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { CustomObject, Prisma } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { isUuid } from "../ids.ts";
import { requireCustomer } from "../db/customer-lock.ts";
import { sameJson } from "../json.ts";

// Custom objects: schema-less JSON a tenant attaches to a customer under a name ("wishlist",
// "purchases"). A customer may have any number of objects of each name.

const MAX_DATA_BYTES = 65_536;
const byteSize = (data: unknown) => Buffer.byteLength(JSON.stringify(data), "utf8");

const objectName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, "1 to 64 letters, digits, dashes or underscores, starting with a letter");

const objectData = z.record(z.string(), z.json()).refine((d) => byteSize(d) <= MAX_DATA_BYTES, "larger than 64 KiB");

export const customObjectInput = z.object({ name: objectName, data: objectData });
const updateInput = z.object({ data: objectData, merge: z.boolean().nullish() });

/** Validated here: name by the pattern above, data a JSON object of at most 64 KiB. */
export interface CreateCustomObjectInput {
  name: string;
  data: Record<string, unknown>;
}

export interface UpdateCustomObjectInput {
  data: Record<string, unknown>;
  /** Shallow-merge into the current data instead of replacing it. */
  merge?: boolean | null;
}

/**
 * Attaches a new object named `name` to a customer. Records `custom_object.created`.
 * Cost: one transaction — customer lock, one INSERT, the audit event.
 */
export async function createCustomObject(ctx: ServiceContext, customerId: string, input: CreateCustomObjectInput): Promise<CustomObject> {
  const { name, data } = parseInput(customObjectInput, input);
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const object = await tx.customObject.create({
      data: { tenantId: ctx.tenantId, customerId: customer.id, name, data: data as Prisma.InputJsonValue },
    });
    await audit({ type: "custom_object.created", customerId: customer.id, data: { objectId: object.id, name } });
    return object;
  });
}

/**
 * Replaces an object's data, or with `merge` overlays the given top-level keys on it (a shallow
 * merge: nested objects are replaced whole, null is stored as null). The result must stay within
 * 64 KiB. Records `custom_object.updated` with `changes.data` {from, to}; an update that changes
 * nothing records nothing. Cost: one transaction — two lookups, customer lock, one UPDATE, the event.
 */
export async function updateCustomObject(ctx: ServiceContext, objectId: string, input: UpdateCustomObjectInput): Promise<CustomObject> {
  const { data, merge } = parseInput(updateInput, input);
  return transact(ctx, async (tx, audit) => {
    const before = await lockObject(tx, ctx, objectId);
    const next = merge ? { ...(before.data as Record<string, unknown>), ...data } : data;
    if (merge && byteSize(next) > MAX_DATA_BYTES)
      throw new ValidationError([{ field: "data", message: "larger than 64 KiB after merging" }]);
    if (sameJson(before.data, next)) return before;
    const object = await tx.customObject.update({ where: { id: before.id }, data: { data: next as Prisma.InputJsonValue } });
    await audit({
      type: "custom_object.updated",
      customerId: object.customerId,
      data: { objectId: object.id, name: object.name, changes: { data: { from: before.data, to: object.data } } },
    });
    return object;
  });
}

/**
 * Deletes an object. Records `custom_object.deleted`.
 * Cost: one transaction — two lookups, customer lock, one DELETE, the audit event.
 */
export async function deleteCustomObject(ctx: ServiceContext, objectId: string): Promise<CustomObject> {
  return transact(ctx, async (tx, audit) => {
    const object = await lockObject(tx, ctx, objectId);
    await tx.customObject.delete({ where: { id: object.id } });
    await audit({ type: "custom_object.deleted", customerId: object.customerId, data: { objectId: object.id, name: object.name } });
    return object;
  });
}

/**
 * Locks the owning customer (like every customer-owned change, so changes to one customer apply
 * one after the other), then loads the object as it is under that lock. CUSTOM_OBJECT_NOT_FOUND
 * for malformed ids, other tenants' objects, and objects deleted meanwhile.
 */
async function lockObject(tx: Tx, ctx: ServiceContext, objectId: string): Promise<CustomObject> {
  // A customer reaches only their own objects; anyone else's read as not found.
  const own = ctx.actor.kind === "CUSTOMER" && ctx.actor.id ? { customerId: ctx.actor.id } : {};
  const where = { id: isUuid(objectId) ? objectId : "", tenantId: ctx.tenantId, ...own };
  const owner = where.id ? await tx.customObject.findFirst({ where, select: { customerId: true } }) : null;
  if (!owner) throw new NotFoundError("CUSTOM_OBJECT_NOT_FOUND");
  await requireCustomer(tx, ctx, owner.customerId);
  const object = await tx.customObject.findFirst({ where });
  if (!object) throw new NotFoundError("CUSTOM_OBJECT_NOT_FOUND");
  return object;
}
