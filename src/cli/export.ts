import { createWriteStream, readFileSync } from "node:fs";
import { buildSchema, coerceInputValue, type GraphQLInputType } from "graphql";
import { rename, rm } from "node:fs/promises";
import { finished } from "node:stream/promises";
import type { Writable } from "node:stream";
import { NotFoundError, ValidationError } from "../errors.ts";
import { exportCustomers } from "../exports/service.ts";
import type { ExportRequest } from "../exports/selection.ts";
import type { CustomerFilter } from "../customers/filter.ts";
import { serviceContext } from "../service-context.ts";
import { findTenantIdBySlug } from "../tenants/service.ts";
import { rowIdFrom, type CliContext } from "./context.ts";

// `export --tenant <slug> …`: the same engine as the download link, to stdout or a file. A file is
// written under a temporary name and renamed when complete, so a failed export leaves no partial
// file behind under the name asked for.

/** The command's options, for parseArgs. */
export const EXPORT_OPTIONS = Object.fromEntries(
  ["format", "segment", "filter", "fields", "out", "created-after", "created-before", "updated-after", "updated-before"].map((n) => [
    n,
    { type: "string" as const },
  ]),
);

export const exportOptions = (values: Record<string, unknown>): Record<string, string | undefined> =>
  Object.fromEntries(Object.keys(EXPORT_OPTIONS).map((n) => [n, typeof values[n] === "string" ? values[n] : undefined]));

export async function runExportCommand(ctx: CliContext, stdout: Writable = process.stdout): Promise<number> {
  const o = ctx.options;
  const tenantId = await findTenantIdBySlug(ctx.database.prisma, o.tenant ?? "");
  if (!tenantId) throw new NotFoundError("TENANT_NOT_FOUND", `no tenant "${o.tenant ?? ""}" (give --tenant <slug>)`);
  const service = serviceContext({ db: ctx.database.prisma, events: ctx.events }, tenantId, { kind: "SYSTEM", id: "cli" });
  const request: ExportRequest = {
    format: (o.format?.toUpperCase() ?? "CSV") as ExportRequest["format"],
    fields: o.fields?.split(",").map((f) => f.trim()),
    selection: {
      segmentId: o.segment && rowIdFrom(o.segment, "Segment"),
      filter: o.filter ? parseFilter(o.filter) : undefined,
      createdAfter: o["created-after"],
      createdBefore: o["created-before"],
      updatedAfter: o["updated-after"],
      updatedBefore: o["updated-before"],
    },
  };
  if (!o.out) {
    await exportCustomers(service, request, stdout, { sql: ctx.database.sql });
    return 0;
  }
  const partial = `${o.out}.partial`;
  const file = createWriteStream(partial, { mode: 0o600 });
  try {
    const stats = await exportCustomers(service, request, file, { sql: ctx.database.sql });
    file.end();
    await finished(file);
    await rename(partial, o.out);
    console.error(`Exported ${stats.rows} customers (${stats.bytes} bytes) to ${o.out}.`);
    return 0;
  } catch (error) {
    file.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * --filter: JSON checked against the API's own CustomerFilter input type (read from the committed
 * schema.graphql, so the CLI and GraphQL accept the same filters; the compiler trusts the types).
 */
function parseFilter(text: string): CustomerFilter {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ValidationError([{ field: "filter", message: "not JSON (give a CustomerFilter as JSON)" }]);
  }
  const type = buildSchema(readFileSync(new URL("../../schema.graphql", import.meta.url), "utf8")).getType("CustomerFilter");
  const issues: { field: string; message: string }[] = [];
  const filter = coerceInputValue(json, type as GraphQLInputType, (path, _value, error) =>
    issues.push({ field: ["filter", ...path].join("."), message: error.message }),
  );
  if (issues.length) throw new ValidationError(issues);
  return filter as CustomerFilter;
}
