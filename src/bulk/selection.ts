import { Prisma } from "../generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { compileCustomerFilter, type CustomerFilter } from "../customers/filter.ts";
import { findSegment, segmentFilter } from "../segments/service.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";

// What a bulk action runs over: a list of customer ids, a filter (the one customer filter
// language, customers/filter.ts) or a saved segment (its filter, read once when the action
// starts). Batches walk the selection in customer-id order (a keyset cursor): the ids list by
// slicing it, a filter by `c.id > cursor ORDER BY c.id LIMIT n` on the primary key.

/** Ids in one selection: stored in the job row, so bounded. */
export const MAX_SELECTION_IDS = 10_000;

export interface SelectionInput {
  ids?: string[] | null;
  filter?: CustomerFilter | null;
  segmentId?: string | null;
}

/** The selection as a job keeps it: sorted distinct ids (malformed ones are kept apart), or a filter. */
export type StoredSelection =
  { kind: "IDS"; ids: string[]; malformed: string[] } | { kind: "FILTER"; filter: CustomerFilter; segmentId: string | null };

/**
 * Checks a selection and returns it in stored form. Exactly one of ids, filter, segmentId.
 * Throws VALIDATION_FAILED (selection.…) or SEGMENT_NOT_FOUND. Cost: the segment read and the
 * filter's definitions lookup when they apply.
 */
export async function storedSelection(ctx: ServiceContext, input: SelectionInput): Promise<StoredSelection> {
  const given = (["ids", "filter", "segmentId"] as const).filter((k) => input[k] !== null && input[k] !== undefined);
  if (given.length !== 1) throw new ValidationError([{ field: "input.selection", message: "give exactly one of ids, filter, segmentId" }]);
  if (input.ids) {
    if (input.ids.length === 0) throw new ValidationError([{ field: "input.selection.ids", message: "give at least one id" }]);
    if (input.ids.length > MAX_SELECTION_IDS) {
      throw new ValidationError([{ field: "input.selection.ids", message: `at most ${MAX_SELECTION_IDS} ids` }]);
    }
    const distinct = [...new Set(input.ids)];
    return { kind: "IDS", ids: distinct.filter(isUuid).sort(), malformed: distinct.filter((id) => !isUuid(id)) };
  }
  if (input.segmentId !== null && input.segmentId !== undefined) {
    const segment = await findSegment(ctx, input.segmentId);
    if (!segment) throw new NotFoundError("SEGMENT_NOT_FOUND");
    return { kind: "FILTER", filter: segmentFilter(segment), segmentId: segment.id };
  }
  const filter = JSON.parse(JSON.stringify(input.filter)) as CustomerFilter;
  await compileCustomerFilter(ctx, filter, "input.selection.filter");
  return { kind: "FILTER", filter, segmentId: null };
}

/**
 * The SQL condition on `customer c` of the selection, the tenant included. `before`, when given,
 * keeps only customers created before it: a job's filter never reaches customers created after
 * it was started (and confirmed).
 */
export async function selectionWhere(ctx: ServiceContext, selection: StoredSelection, before: Date | null): Promise<Prisma.Sql> {
  if (selection.kind === "IDS") return idsWhere(ctx, selection.ids);
  const { where } = await compileCustomerFilter(ctx, selection.filter, "selection.filter");
  return before ? Prisma.sql`${where} AND c.created_at <= ${before}` : where;
}

/** The tenant's customers among `ids`. */
export const idsWhere = (ctx: ServiceContext, ids: string[]) =>
  Prisma.sql`c.tenant_id = ${ctx.tenantId}::uuid AND c.id = ANY(${ids}::uuid[])`;

/** How many existing customers of the tenant the selection holds now. Cost: one count statement. */
export async function countSelection(ctx: ServiceContext, where: Prisma.Sql): Promise<number> {
  const [row] = await ctx.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM customer c WHERE ${where}`;
  return Number(row!.n);
}

/** The ids of an ids selection that come after `cursor`, at most `limit` (the next batch). */
export function nextIds(selection: StoredSelection & { kind: "IDS" }, cursor: string | null, limit: number): string[] {
  const start = cursor === null ? 0 : selection.ids.findIndex((id) => id > cursor);
  return start < 0 ? [] : selection.ids.slice(start, start + limit);
}
