import { z } from "zod";
import { isUniqueViolation } from "../db/unique.ts";
import { diff, transact } from "../db/transact.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { Prisma, Segment } from "../generated/prisma/client.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { compileCustomerFilter, type CustomerFilter } from "../customers/filter.ts";

// Segments: saved, named customer filters of a tenant — the selection that search lists and that
// bulk actions and exports take. The filter is stored as the filter language's input (JSON) once
// it compiled against the tenant's custom-field definitions; it is compiled again on every run,
// so a field retired since then is a typed error naming it, not a wrong answer.

export interface SegmentInput {
  name: string;
  description?: string | null;
  filter: CustomerFilter;
}

export interface SegmentPatch {
  name?: string | null;
  description?: string | null;
  filter?: CustomerFilter | null;
}

const fields = {
  name: z.string().trim().min(1, "give a name").max(100, "at most 100 characters"),
  description: z.string().max(1_000, "at most 1000 characters").nullish(),
};

type Relations = { include?: Prisma.SegmentInclude; select?: Prisma.SegmentSelect };

/** One segment of the caller's tenant by id, or null. Cost: one indexed statement. */
export async function findSegment(ctx: ServiceContext, id: string, relations: Relations = {}): Promise<Segment | null> {
  return isUuid(id) ? ctx.db.segment.findFirst({ ...relations, where: { id, tenantId: ctx.tenantId } }) : null;
}

/** A page of the tenant's segments, newest first, as Pothos's prismaConnection asks for it. Cost: one statement. */
export function listSegments(ctx: ServiceContext, page: { cursor?: { id?: unknown }; take?: number; skip?: number } & Relations) {
  const cursor = page.cursor?.id;
  if (cursor !== undefined && (typeof cursor !== "string" || !isUuid(cursor)))
    throw new ValidationError([{ field: "after", message: "not a cursor returned by this list" }]);
  return ctx.db.segment.findMany({
    ...(page as object),
    cursor: cursor ? { id_tenantId: { id: cursor, tenantId: ctx.tenantId } } : undefined,
    where: { tenantId: ctx.tenantId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

/** The stored form of a filter after it compiled: its JSON (dates as ISO strings). Throws a ValidationError at input.filter.… */
async function validFilter(ctx: ServiceContext, filter: CustomerFilter): Promise<Prisma.InputJsonObject> {
  await compileCustomerFilter(ctx, filter, "input.filter");
  return JSON.parse(JSON.stringify(filter)) as Prisma.InputJsonObject;
}

/** The filter of a stored segment, as the filter language takes it. */
export const segmentFilter = (segment: Segment) => segment.filter as CustomerFilter;

const nameTaken = () => new ConflictError("SEGMENT_NAME_TAKEN", "name", "another segment has this name");

async function translate<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw isUniqueViolation(error, "name") ? nameTaken() : error;
  }
}

/**
 * Saves a new segment after its filter compiled against the tenant's current definitions.
 * Records `segment.created`. Cost: the definitions lookup, then one transaction — an INSERT and
 * the audit event.
 */
export async function createSegment(ctx: ServiceContext, input: SegmentInput): Promise<Segment> {
  const { name, description } = parseInput(z.object(fields), input, "input");
  const filter = await validFilter(ctx, input.filter);
  return translate(
    transact(ctx, async (tx, audit) => {
      const segment = await tx.segment.create({ data: { tenantId: ctx.tenantId, name, description: description ?? null, filter } });
      await audit({ type: "segment.created", data: { segmentId: segment.id, name, description: segment.description, filter } });
      return segment;
    }),
  );
}

/**
 * Changes a segment's name, description and/or filter (a new filter is compiled first). Records
 * `segment.updated` with {from, to} of each changed field; a change to nothing records nothing.
 * Cost: the definitions lookup when the filter changes, then one transaction — lookup, UPDATE, event.
 */
export async function updateSegment(ctx: ServiceContext, id: string, patch: SegmentPatch): Promise<Segment> {
  const parsed = parseInput(z.object({ name: fields.name.nullish(), description: fields.description }), patch, "input");
  const filter = patch.filter == null ? undefined : await validFilter(ctx, patch.filter);
  return translate(
    transact(ctx, async (tx, audit) => {
      const before = isUuid(id) ? await tx.segment.findFirst({ where: { id, tenantId: ctx.tenantId } }) : null;
      if (!before) throw new NotFoundError("SEGMENT_NOT_FOUND");
      const next = {
        name: parsed.name ?? before.name,
        description: parsed.description === undefined ? before.description : parsed.description,
        filter: filter ?? (before.filter as Prisma.InputJsonObject),
      };
      const changes = diff(before as Record<string, unknown>, next);
      if (Object.keys(changes).length === 0) return before;
      const segment = await tx.segment.update({ where: { id: before.id }, data: next });
      await audit({ type: "segment.updated", data: { segmentId: segment.id, name: segment.name, changes } });
      return segment;
    }),
  );
}

/** Deletes a segment. Records `segment.deleted`. Cost: one transaction — lookup, DELETE, event. */
export async function deleteSegment(ctx: ServiceContext, id: string): Promise<void> {
  await transact(ctx, async (tx, audit) => {
    const segment = isUuid(id) ? await tx.segment.findFirst({ where: { id, tenantId: ctx.tenantId } }) : null;
    if (!segment) throw new NotFoundError("SEGMENT_NOT_FOUND");
    await tx.segment.delete({ where: { id: segment.id } });
    await audit({ type: "segment.deleted", data: { segmentId: segment.id, name: segment.name, filter: segment.filter } });
  });
}
