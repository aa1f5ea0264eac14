import { z } from "zod";
import { NotFoundError } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { compileCustomerFilter, type CustomerFilter } from "../customers/filter.ts";
import { findSegment, segmentFilter } from "../segments/service.ts";
import { ALL_FIELDS, DEFAULT_FIELDS, type ExportField } from "./fields.ts";

// What an export selects and writes, checked once: the request's JSON form is what a download
// link carries and what the audit events record, and it is compiled again when the export runs
// (a segment deleted or a custom field retired since is then a typed error, not a wrong file).

export const EXPORT_FORMATS = ["CSV", "JSON", "NDJSON"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

type Instant = Date | string;

export interface ExportSelection {
  /** A saved segment's filter (ANDed with `filter` when both are given). */
  segmentId?: string | null;
  filter?: CustomerFilter | null;
  /** Half-open windows: createdAfter ≤ createdAt < createdBefore (same for updatedAt). */
  createdAfter?: Instant | null;
  createdBefore?: Instant | null;
  updatedAfter?: Instant | null;
  updatedBefore?: Instant | null;
}

export interface ExportRequest {
  format?: ExportFormat | null;
  selection?: ExportSelection | null;
  /** Default: DEFAULT_FIELDS. */
  fields?: string[] | null;
}

/** The checked request, as JSON (dates as ISO strings): what links carry and audit events record. */
export interface CheckedExportRequest {
  format: ExportFormat;
  selection: {
    segmentId?: string;
    filter?: CustomerFilter;
    createdAfter?: string;
    createdBefore?: string;
    updatedAfter?: string;
    updatedBefore?: string;
  };
  fields: ExportField[];
}

export interface PreparedExport {
  request: CheckedExportRequest;
  /** The condition on `customer c`, the tenant included. */
  where: Prisma.Sql;
}

const instant = z.coerce.date().transform((d) => d.toISOString());
const schema = z.object({
  format: z.enum(EXPORT_FORMATS).nullish(),
  fields: z
    .array(z.enum(ALL_FIELDS as [ExportField, ...ExportField[]]))
    .min(1, "give at least one field")
    .nullish(),
  selection: z
    .object({
      segmentId: z.string().nullish(),
      filter: z.record(z.string(), z.unknown()).nullish(),
      createdAfter: instant.nullish(),
      createdBefore: instant.nullish(),
      updatedAfter: instant.nullish(),
      updatedBefore: instant.nullish(),
    })
    .nullish(),
});

const WINDOW = [
  ["createdAfter", "c.created_at >="],
  ["createdBefore", "c.created_at <"],
  ["updatedAfter", "c.updated_at >="],
  ["updatedBefore", "c.updated_at <"],
] as const;

/**
 * Checks an export request and compiles its selection for the caller's tenant. Throws a
 * ValidationError (paths under `path`) or SEGMENT_NOT_FOUND; reads nothing else.
 * Cost: the segment's row, the definitions lookup when a filter names custom fields.
 */
export async function prepareExport(ctx: ServiceContext, input: ExportRequest, path = "input"): Promise<PreparedExport> {
  const parsed = parseInput(schema, input, path);
  const given = parsed.selection ?? {};
  const conditions: Prisma.Sql[] = [];
  const selection: CheckedExportRequest["selection"] = {};
  if (given.segmentId) {
    const segment = await findSegment(ctx, given.segmentId);
    if (!segment) throw new NotFoundError("SEGMENT_NOT_FOUND");
    selection.segmentId = segment.id;
    conditions.push((await compileCustomerFilter(ctx, segmentFilter(segment), "segment.filter")).where);
  }
  if (given.filter) {
    const filter = given.filter as CustomerFilter;
    conditions.push((await compileCustomerFilter(ctx, filter, `${path}.selection.filter`)).where);
    selection.filter = JSON.parse(JSON.stringify(filter)) as CustomerFilter;
  }
  if (conditions.length === 0) conditions.push((await compileCustomerFilter(ctx, null)).where);
  for (const [key, op] of WINDOW) {
    const at = given[key];
    if (!at) continue;
    selection[key] = at;
    conditions.push(Prisma.sql`${Prisma.raw(op)} ${at}::timestamptz`);
  }
  const fields = parsed.fields ? ALL_FIELDS.filter((f) => parsed.fields!.includes(f)) : [...DEFAULT_FIELDS];
  return { request: { format: parsed.format ?? "CSV", selection, fields }, where: Prisma.join(conditions, " AND ") };
}
