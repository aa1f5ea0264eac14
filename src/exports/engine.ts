import { once } from "node:events";
import type { Writable } from "node:stream";
import { Prisma } from "../generated/prisma/client.ts";
import type { Sql } from "../db/database.ts";
import type { ServiceContext } from "../service-context.ts";
import { csvRow } from "../csv.ts";
import { csvCellSql } from "./csv.ts";
import { csvColumns, customerFromSql, jsonRecordColumns } from "./fields.ts";
import type { PreparedExport } from "./selection.ts";
import { openPageTokens } from "../pii/tokens.ts";

// The one export engine: a keyset scan over (tenant_id, created_at, id) — the customer index
// search already uses — one statement per page that builds every line in PostgreSQL and answers
// the page as one string (pageQuery), handed on only when the consumer asks (a generator pulled by a web
// ReadableStream, or written to a Node Writable waiting for 'drain'). Memory is one page
// whatever the size. The scan is not one snapshot: a customer created during a long export with
// a later createdAt is included, a row changed between pages is written as it was when its page
// was read; every customer present throughout is written exactly once. PII sealed at rest leaves
// PostgreSQL as tokens that Node opens (src/pii/tokens.ts): a page with none costs one `includes`.

// Measured against 5,000 and 10,000 (bench:export): no faster, and a larger page is a larger
// string held at once (NDJSON at 10,000: ~60 MB more peak RSS).
export const DEFAULT_PAGE_SIZE = 2_000;

export interface ExportStats {
  rows: number;
  bytes: number;
}

export interface ExportRunOptions {
  /**
   * The page statement's reader: on the driver adapter, not Prisma's client runtime, which costs
   * ~20% of the time and ~3× the memory on a page's one big text (measured, bench:export).
   */
  sql: Sql;
  /** Rows per statement (tests lower it to cross page boundaries). */
  pageSize?: number;
  /** Counted as the chunks are produced. */
  stats?: ExportStats;
}

/**
 * The CSV columns for custom fields: one per key of the tenant's active definitions, by key. A
 * tenant with no definitions at all (values written before any were defined, or by import) gets
 * one column per key found in the selected customers instead: one more statement that reads every
 * selected row's keys before the first byte is written.
 */
export async function customFieldColumns(ctx: ServiceContext, prepared: PreparedExport): Promise<string[]> {
  if (prepared.request.format !== "CSV" || !prepared.request.fields.includes("customFields")) return [];
  const definitions = await ctx.db.customFieldDefinition.findMany({
    where: { tenantId: ctx.tenantId },
    select: { key: true, retiredAt: true },
    orderBy: { key: "asc" },
  });
  if (definitions.length > 0) return definitions.filter((d) => d.retiredAt === null).map((d) => d.key);
  const found = await ctx.db.$queryRaw<{ key: string }[]>`
    SELECT DISTINCT k AS key FROM customer c, jsonb_object_keys(c.custom_fields) k WHERE ${prepared.where} ORDER BY 1`;
  return found.map((r) => r.key);
}

/** The text chunks of an export: the header or opening (if any), one per page, the closing (if any). */
export async function* exportChunks(ctx: ServiceContext, prepared: PreparedExport, options: ExportRunOptions): AsyncGenerator<string> {
  const { format, fields } = prepared.request;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const stats = options.stats ?? { rows: 0, bytes: 0 };
  const counted = (chunk: string) => {
    stats.bytes += Buffer.byteLength(chunk);
    return chunk;
  };
  const customKeys = await customFieldColumns(ctx, prepared);
  const page = pageQuery(prepared, customKeys);
  if (format === "CSV") {
    const columns = fields.flatMap((f) => (f === "customFields" ? customKeys.map((k) => `customFields.${k}`) : [f]));
    yield counted(csvRow(columns));
  }
  if (format === "JSON") yield counted("[");
  let after: string | null = null;
  for (;;) {
    const statement = page(after, pageSize);
    const [{ rows, text: built, last }] = (await options.sql(statement.text, statement.values.map(param))) as unknown as PageRow[];
    if (rows === 0 || built === null || last === null) break;
    const text = await openPageTokens(ctx.db, ctx.tenantId, built, format === "CSV" ? "CSV" : "JSON");
    if (format === "JSON") yield counted(`${stats.rows === 0 ? "\n" : ",\n"}${text}`);
    else yield counted(`${text}${format === "CSV" ? "\r\n" : "\n"}`);
    stats.rows += rows;
    if (rows < pageSize) break;
    after = last;
  }
  if (format === "JSON") yield counted(stats.rows === 0 ? "]\n" : "\n]\n");
}

// Instants of a filter arrive as Date from GraphQL: the driver takes text.
const param = (value: unknown) => (value instanceof Date ? value.toISOString() : value);

interface PageRow {
  rows: number;
  text: string | null;
  last: string | null;
}

/**
 * One page as ONE row: the page's customers (a keyset scan after the last page's (created_at,
 * id)), each rendered to its line by PostgreSQL, joined by string_agg; the count; and where the
 * next page starts (created_at as text, exact whatever its precision, and the id). Node receives
 * one string per page and never sees a customer.
 */
function pageQuery(prepared: PreparedExport, customKeys: string[]) {
  const { format, fields } = prepared.request;
  const { columns, lateral } =
    format === "CSV" ? { columns: csvColumns(fields, customKeys), lateral: Prisma.empty } : jsonRecordColumns(fields);
  const selected = Prisma.join(
    [Prisma.sql`c.created_at, c.id`, ...columns.map((c, i) => Prisma.sql`${c.sql} AS v${Prisma.raw(String(i))}`)],
    ", ",
  );
  // Escaping reads the materialized page's columns: a cell's value (maybe a subquery) is computed
  // once. No column at all (only customFields asked, and no keys) writes empty lines, as before.
  const cells = columns.map((c, i) => (c.escape ? csvCellSql(`v${i}`) : `coalesce(v${i}, '')`));
  const line = Prisma.raw(cells.length > 0 ? cells.join(" || ',' || ") : "''");
  const separator = Prisma.raw(format === "CSV" ? "E'\\r\\n'" : format === "JSON" ? "E',\\n'" : "E'\\n'");
  return (after: string | null, pageSize: number) => Prisma.sql`
    WITH page AS MATERIALIZED (
      SELECT ${selected} FROM ${Prisma.raw(customerFromSql(fields))}${lateral}
      WHERE ${prepared.where}${after ? Prisma.sql` AND (c.created_at, c.id) > (split_part(${after}, '|', 1)::timestamptz, split_part(${after}, '|', 2)::uuid)` : Prisma.empty}
      ORDER BY c.created_at, c.id LIMIT ${pageSize})
    SELECT count(*)::int AS rows, string_agg(${line}, ${separator} ORDER BY created_at, id) AS text,
      (SELECT created_at::text || '|' || id FROM page ORDER BY created_at DESC, id DESC LIMIT 1) AS last
    FROM page`;
}

/** Writes an export to a Node stream, waiting for 'drain' whenever it is full; does not end it. */
export async function writeExport(
  ctx: ServiceContext,
  prepared: PreparedExport,
  out: Writable,
  options: ExportRunOptions,
): Promise<ExportStats> {
  const stats = options.stats ?? { rows: 0, bytes: 0 };
  for await (const chunk of exportChunks(ctx, prepared, { ...options, stats })) {
    if (!out.write(chunk)) await once(out, "drain");
  }
  return stats;
}

/** An export as a web stream: a page is read only when the consumer pulls (backpressure). */
export function exportStream(
  chunks: AsyncGenerator<string>,
  onEnd: { done(): Promise<void>; failed(error: unknown): Promise<void> },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (!next.done) return controller.enqueue(encoder.encode(next.value));
          // Recorded before the end is signalled: a client that has the whole file finds the event.
          await onEnd.done();
          controller.close();
        } catch (error) {
          controller.error(error);
          await onEnd.failed(error);
        }
      },
      async cancel(reason) {
        await chunks.return(undefined);
        await onEnd.failed(reason ?? new Error("the client went away"));
      },
    },
    { highWaterMark: 0 },
  );
}
