import { randomUUID } from "node:crypto";
import type { Writable } from "node:stream";
import { transact } from "../db/transact.ts";
import type { ServiceContext } from "../service-context.ts";
import { writeExport, type ExportRunOptions, type ExportStats } from "./engine.ts";
import { prepareExport, type CheckedExportRequest, type ExportRequest } from "./selection.ts";

// The audit trail of exports: `export.created` names the selection when an export is asked for
// (its size is unknown until it runs), `export.completed` (rows, bytes) or `export.failed` when it
// ends. Exports read and change nothing, so these events are their only trace.

/** Records `export.created` for a checked request. Cost: one transaction with the event. */
export async function recordExportCreated(
  ctx: ServiceContext,
  exportId: string,
  request: CheckedExportRequest,
  extra: Record<string, unknown> = {},
) {
  await transact(ctx, async (_tx, audit) => {
    await audit({ type: "export.created", data: { exportId, ...request, ...extra } });
  });
}

/** Records how an export ended: `export.completed` with rows and bytes, or `export.failed` with the error. */
export async function recordExportEnd(ctx: ServiceContext, exportId: string, outcome: ExportStats & { error?: string }): Promise<void> {
  await transact(ctx, async (_tx, audit) => {
    await audit({ type: outcome.error ? "export.failed" : "export.completed", data: { exportId, ...outcome } });
  });
}

/**
 * Exports the selected customers to a Node stream (a file, stdout), with the audit events around
 * it. Bad input throws before anything is written or recorded. The stream is not ended.
 */
export async function exportCustomers(
  ctx: ServiceContext,
  input: ExportRequest,
  out: Writable,
  options: ExportRunOptions,
): Promise<ExportStats> {
  const prepared = await prepareExport(ctx, input);
  const exportId = randomUUID();
  await recordExportCreated(ctx, exportId, prepared.request);
  const stats = options.stats ?? { rows: 0, bytes: 0 };
  try {
    await writeExport(ctx, prepared, out, { ...options, stats });
  } catch (error) {
    await recordExportEnd(ctx, exportId, { ...stats, error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  await recordExportEnd(ctx, exportId, stats);
  return stats;
}
