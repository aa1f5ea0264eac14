import type { Plugin } from "graphql-yoga";
import { csvRow } from "../csv.ts";
import type { Db } from "../db/database.ts";
import { holdsScope } from "../security/scopes.ts";
import type { AdminPrincipal } from "../service-context.ts";

// The row errors of a job as CSV (row,field,message), read in pages of 1,000 by id so a report
// of 10,000 rows never sits in memory whole. Cells are quoted when they need it, and a cell
// starting with = + - @ (or tab / carriage return) gets a leading single quote, so a spreadsheet
// does not run it as a formula (OWASP CSV injection).

const PAGE = 1_000;

/** The report's lines, header first, each ending in \r\n (RFC 4180). The job must be known to be the caller's. */
export async function* errorReportLines(db: Db, jobId: string): AsyncGenerator<string> {
  yield "row,field,message\r\n";
  let after = 0n;
  for (;;) {
    const page = await db.jobRowError.findMany({ where: { jobId, id: { gt: after } }, orderBy: { id: "asc" }, take: PAGE });
    if (page.length > 0) yield page.map((e) => csvRow([e.row, e.field, e.message])).join("");
    if (page.length < PAGE) return;
    after = page.at(-1)!.id;
  }
}

/** The path of a job's report: GET /imports/<job id>/errors.csv. */
const REPORT_PATH = /^\/imports\/([0-9a-f-]{36})\/errors\.csv$/;

/**
 * Serves GET /imports/<job id>/errors.csv to an admin of the job's tenant holding CUSTOMERS_READ,
 * authenticated as a /graphql request is (API credential or console session headers; `authenticate` answers the principal, null
 * without credentials, and throws on wrong ones). Anything else answers 401/403/404 without body.
 * The CSV is streamed page by page.
 */
export function errorReportPlugin(db: Db, authenticate: (request: Request) => Promise<AdminPrincipal | null>): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const match = REPORT_PATH.exec(url.pathname);
      if (!match) return;
      const status = (code: number) => endResponse(new fetchAPI.Response(null, { status: code }));
      if (request.method !== "GET") return status(405);
      let admin: AdminPrincipal | null;
      try {
        admin = await authenticate(request);
      } catch {
        return status(401);
      }
      if (!admin) return status(401);
      if (!holdsScope(admin.scopes, "CUSTOMERS_READ")) return status(403);
      const job = await db.job.findFirst({ where: { id: match[1], tenantId: admin.tenantId, kind: "IMPORT" }, select: { id: true } });
      if (!job) return status(404);
      const lines = errorReportLines(db, job.id);
      const body = new fetchAPI.ReadableStream({
        async pull(controller) {
          const next = await lines.next();
          if (next.done) controller.close();
          else controller.enqueue(new TextEncoder().encode(next.value));
        },
      });
      endResponse(
        new fetchAPI.Response(body, {
          headers: {
            "content-type": "text/csv; charset=utf-8",
            "content-disposition": `attachment; filename="import-${job.id}-errors.csv"`,
          },
        }),
      );
    },
  };
}
