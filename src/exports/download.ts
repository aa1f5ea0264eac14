import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import type { Plugin } from "graphql-yoga";
import type { Db, Sql } from "../db/database.ts";
import { AppError } from "../errors.ts";
import type { EventBus } from "../events/bus.ts";
import { requestInfo } from "../graphql/request.ts";
import { isUuid } from "../ids.ts";
import { holdsScope } from "../security/scopes.ts";
import { serviceContext } from "../service-context.ts";
import { exportChunks, exportStream, type ExportRunOptions } from "./engine.ts";
import { EXPORT_PATH, openExportLink } from "./links.ts";
import { exportFilePath } from "./runner.ts";
import { recordExportEnd } from "./service.ts";
import { prepareExport, type ExportFormat } from "./selection.ts";

// GET /exports/<link>: streams the file a createCustomerExport link names. The response is
// written as PostgreSQL hands over pages and only as fast as the client reads (chunked, no
// Content-Length). `export.completed` (rows, bytes) is recorded when the last byte is handed over;
// a failure or a client that goes away records `export.failed`.

const CONTENT_TYPES: Record<ExportFormat, string> = {
  CSV: "text/csv; charset=utf-8",
  JSON: "application/json; charset=utf-8",
  NDJSON: "application/x-ndjson; charset=utf-8",
};

export interface ExportDownloadDeps {
  db: Db;
  events: EventBus;
  sql: Sql;
  masterKey: Buffer | null;
  trustProxy: boolean;
  /** EXPORT_DIR: where scheduled export files are. */
  exportDir: string;
  /** Rows per statement (tests lower it). */
  pageSize?: ExportRunOptions["pageSize"];
}

export function exportDownloadPlugin(deps: ExportDownloadDeps): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI, serverContext }) {
      if (!url.pathname.startsWith(EXPORT_PATH)) return;
      const answer = (status: number, code: string) =>
        endResponse(new fetchAPI.Response(JSON.stringify({ error: code }), { status, headers: { "content-type": "application/json" } }));
      if (request.method !== "GET") return endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: "GET" } }));
      const link = await openExportLink(deps.masterKey, url.pathname.slice(EXPORT_PATH.length));
      if (link === "expired") return answer(410, "EXPORT_LINK_EXPIRED");
      if (link === "invalid" || !(await credentialMayExport(deps.db, link))) return answer(403, "FORBIDDEN");
      const req = (serverContext as { req?: Parameters<typeof requestInfo>[1] } | undefined)?.req;
      const ctx = serviceContext(deps, link.tenantId, { kind: "ADMIN", id: link.credentialId }, requestInfo(request, req, deps.trustProxy));
      if (!link.request) return endResponse(await storedFile(deps, link.tenantId, link.fileId ?? "", fetchAPI.Response));
      let prepared;
      try {
        // Compiled again: a segment deleted or a field retired since the link was made is a 409.
        prepared = await prepareExport(ctx, link.request);
      } catch (error) {
        if (error instanceof AppError) return answer(409, error.code);
        throw error;
      }
      const stats = { rows: 0, bytes: 0 };
      const body = exportStream(exportChunks(ctx, prepared, { sql: deps.sql, pageSize: deps.pageSize, stats }), {
        done: () => recordExportEnd(ctx, link.exportId, stats),
        failed: (error) => recordExportEnd(ctx, link.exportId, { ...stats, error: error instanceof Error ? error.message : String(error) }),
      });
      const format = prepared.request.format;
      const fileName = `customers-${new Date().toISOString().slice(0, 19).replace(/:/g, "")}.${format.toLowerCase()}`;
      endResponse(new fetchAPI.Response(body, { status: 200, headers: attachment(format, fileName) }));
    },
  };
}

const attachment = (format: ExportFormat, fileName: string, extra: Record<string, string> = {}) => ({
  "content-type": CONTENT_TYPES[format],
  "content-disposition": `attachment; filename="${fileName}"`,
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  ...extra,
});

/** A scheduled export's file of the tenant, streamed from disk; 410 once pruned or gone. */
async function storedFile(deps: ExportDownloadDeps, tenantId: string, fileId: string, Res: typeof Response): Promise<Response> {
  const file = isUuid(fileId) ? await deps.db.exportFile.findFirst({ where: { id: fileId, tenantId, status: "COMPLETED" } }) : null;
  const path = file ? exportFilePath(deps.exportDir, file) : null;
  const size = path
    ? await stat(path).then(
        (s) => s.size,
        () => null,
      )
    : null;
  if (!file || !path || size === null) return new Res(JSON.stringify({ error: "EXPORT_FILE_GONE" }), { status: 410 });
  const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
  return new Res(body, { status: 200, headers: attachment(file.format, file.fileName, { "content-length": String(size) }) });
}

/** The credential that made the link still exists, is not revoked and still reads customers. */
async function credentialMayExport(db: Db, link: { tenantId: string; credentialId: string }): Promise<boolean> {
  const credential = await db.adminCredential.findFirst({
    where: { id: link.credentialId, tenantId: link.tenantId, revokedAt: null },
    select: { scopes: true },
  });
  return credential !== null && holdsScope(credential.scopes, "CUSTOMERS_READ");
}
