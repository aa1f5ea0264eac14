import { once } from "node:events";
import type { Writable } from "node:stream";
import { Prisma } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { csvRow } from "./csv.ts";
import { recordSql, type ExportField } from "./fields.ts";
import type { PreparedExport } from "./selection.ts";

// The one export engine: a keyset scan over (tenant_id, created_at, id) — the customer index
// search already uses — one statement per page that builds every record in PostgreSQL, each page
// rendered to one string and handed on only when the consumer asks (a generator pulled by a web
// ReadableStream, or written to a Node Writable waiting for 'drain'). Memory is one page
// whatever the size. The scan is not one snapshot: a customer created during a long export with
// a later createdAt is included, a row changed between pages is written as it was when its page
// was read; every customer present throughout is written exactly once.

export const DEFAULT_PAGE_SIZE = 2_000;

export interface ExportStats {
  rows: number;
  bytes: number;
}

export interface ExportRunOptions {
  /** Rows per statement (tests lower it to cross page boundaries). */
  pageSize?: number;
  /** Counted as the chunks are produced. */
  stats?: ExportStats;
}

const CREATED = Prisma.raw(`to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

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
export async function* exportChunks(ctx: ServiceContext, prepared: PreparedExport, options: ExportRunOptions = {}): AsyncGenerator<string> {
  const { format, fields } = prepared.request;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const stats = options.stats ?? { rows: 0, bytes: 0 };
  const counted = (chunk: string) => {
    stats.bytes += Buffer.byteLength(chunk);
    return chunk;
  };
  const customKeys = await customFieldColumns(ctx, prepared);
  const render = renderer(format, fields, customKeys);
  if (render.head) yield counted(render.head);
  let after: { created: string; id: string } | null = null;
  for (;;) {
    const rows: { id: string; created: string; record: string }[] = await ctx.db.$queryRaw`
      SELECT c.id, ${CREATED} AS created, ${recordSql(fields)} AS record FROM customer c
      WHERE ${prepared.where}${after ? Prisma.sql` AND (c.created_at, c.id) > (${after.created}::timestamptz, ${after.id}::uuid)` : Prisma.empty}
      ORDER BY c.created_at, c.id LIMIT ${pageSize}`;
    if (rows.length === 0) break;
    yield counted(
      render.page(
        rows.map((r) => r.record),
        stats.rows === 0,
      ),
    );
    stats.rows += rows.length;
    if (rows.length < pageSize) break;
    const last = rows[rows.length - 1];
    after = { created: last.created, id: last.id };
  }
  if (render.tail) yield counted(render.tail(stats.rows === 0));
}

interface Renderer {
  head?: string;
  page(records: string[], first: boolean): string;
  tail?(empty: boolean): string;
}

function renderer(format: PreparedExport["request"]["format"], fields: ExportField[], customKeys: string[]): Renderer {
  if (format === "NDJSON") return { page: (records) => `${records.join("\n")}\n` };
  if (format === "JSON") {
    return {
      head: "[",
      page: (records, first) => `${first ? "\n" : ",\n"}${records.join(",\n")}`,
      tail: (empty) => (empty ? "]\n" : "\n]\n"),
    };
  }
  const columns = fields.flatMap((f) => (f === "customFields" ? customKeys.map((k) => `customFields.${k}`) : [f]));
  return {
    head: csvRow(columns),
    page: (records) =>
      records
        .map((text) => {
          const record = JSON.parse(text) as Record<string, unknown>;
          const custom = (record.customFields ?? {}) as Record<string, unknown>;
          return csvRow(fields.flatMap((f) => (f === "customFields" ? customKeys.map((k) => custom[k]) : [record[f]])));
        })
        .join(""),
  };
}

/** Writes an export to a Node stream, waiting for 'drain' whenever it is full; does not end it. */
export async function writeExport(
  ctx: ServiceContext,
  prepared: PreparedExport,
  out: Writable,
  options: ExportRunOptions = {},
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
