import { resolveOffsetConnection } from "@pothos/plugin-relay";
import { builder } from "../graphql/builder.ts";
import { mutationResult } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { adminOnlyNode, adminRowWhere } from "../graphql/nodes.ts";
import { CUSTOMERS_READ, CUSTOMERS_WRITE } from "../graphql/policies.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { Job } from "../generated/prisma/client.ts";
import { listRowErrors } from "../jobs/service.ts";
import { serverFile, spoolUpload } from "./files.ts";
import type { ImportSettings } from "./runner.ts";
import { cancelImport, findImportJob, listImportJobs, startImport } from "./service.ts";

// Customer imports over GraphQL: start one from an upload or a server-side file, follow it
// (importJob, importJobs: counters, rate, row errors), cancel it. Reading needs CUSTOMERS_READ,
// starting and cancelling CUSTOMERS_WRITE.

const ImportFormat = builder.enumType("ImportFormat", { values: ["CSV", "JSON", "NDJSON"] as const });
const ImportMode = builder.enumType("ImportMode", {
  values: {
    INSERT: { description: "New customers only: a row matching an existing customer is skipped (and counted)." },
    UPSERT: { description: "New customers are inserted, matching ones updated (profile, status, customFields, passwordHash)." },
  },
});
const ImportMatch = builder.enumType("ImportMatch", {
  values: {
    UID: { description: "By uid." },
    EMAIL: { description: "By any of the row's email addresses (normalized) against any email of a customer." },
    FIELD: { description: "By the custom field named in matchField (an external id)." },
  },
});
const JobStatus = builder.enumType("JobStatus", { values: ["QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"] as const });

const settings = (job: Job) => job.options as unknown as ImportSettings;

const ImportRowError = builder.objectRef<{ row: number; field: string | null; message: string }>("ImportRowError").implement({
  authScopes: CUSTOMERS_READ,
  description: "One rejected row of an import.",
  fields: (t) => ({
    row: t.exposeInt("row", { description: "1-based position of the record in the file (CSV: the header row is not counted)." }),
    field: t.exposeString("field", {
      nullable: true,
      description: "The record's field at fault (e.g. emails.0.value, customFields.plan).",
    }),
    message: t.exposeString("message"),
  }),
});

export const ImportJobRef = builder.prismaNode("Job", {
  ...adminOnlyNode(CUSTOMERS_READ),
  // The job table holds bulk actions too: an ImportJob id never reaches one.
  findUnique: (id, ctx) => ({ ...adminRowWhere(id, ctx), kind: "IMPORT" as const }),
  name: "ImportJob",
  description: "A customer import: what it was asked to do and how far it got. Counters are those of committed batches.",
  fields: (t) => ({
    status: t.field({ type: JobStatus, resolve: (j) => j.status }),
    format: t.field({ type: ImportFormat, resolve: (j) => settings(j).format }),
    mode: t.field({ type: ImportMode, resolve: (j) => settings(j).mode }),
    matchBy: t.field({ type: ImportMatch, resolve: (j) => settings(j).matchBy }),
    matchField: t.string({ nullable: true, resolve: (j) => settings(j).matchField }),
    dryRun: t.boolean({ resolve: (j) => settings(j).dryRun }),
    fileName: t.string({ resolve: (j) => settings(j).fileName }),
    rowsRead: t.exposeInt("rowsRead"),
    imported: t.exposeInt("imported"),
    updated: t.exposeInt("updated"),
    skipped: t.exposeInt("skipped", { description: "Rows matching a customer that was left as it is (INSERT, or nothing changed)." }),
    failed: t.exposeInt("failed", { description: "Rows with errors; the first 10,000 errors are kept." }),
    rowsPerSecond: t.float({
      description: "Rows read per second since the job started (until it finished).",
      resolve: (j) => {
        if (!j.startedAt) return 0;
        const seconds = ((j.finishedAt ?? new Date()).getTime() - j.startedAt.getTime()) / 1000;
        return seconds > 0 ? Math.round(j.rowsRead / seconds) : j.rowsRead;
      },
    }),
    warnings: t.exposeStringList("warnings", { description: "File-level notices, e.g. unknown columns that were ignored." }),
    error: t.exposeString("error", { nullable: true, description: "Why a FAILED job failed." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    startedAt: t.expose("startedAt", { type: "DateTime", nullable: true }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true }),
    cancelRequestedAt: t.expose("cancelRequestedAt", { type: "DateTime", nullable: true }),
    errors: t.connection({
      type: ImportRowError,
      description: "The row errors in row order.",
      resolve: (job, args, ctx) =>
        resolveOffsetConnection({ args, defaultSize: 50, maxSize: 500 }, ({ limit, offset }) =>
          listRowErrors(ctx.db, job.id, { take: limit, skip: offset }),
        ),
    }),
    errorReportUrl: t.string({
      description: "Path of the row errors as CSV (row,field,message), fetched with the same admin headers as the API.",
      resolve: (job) => `/imports/${job.id}/errors.csv`,
    }),
  }),
});

builder.queryFields((t) => ({
  importJob: t.prismaField({
    type: "Job",
    nullable: true,
    authScopes: CUSTOMERS_READ,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = localIdOrNull(args.id, "ImportJob");
      return id ? findImportJob(adminService(ctx), id, query) : null;
    },
  }),
  importJobs: t.prismaConnection(
    {
      type: "Job",
      cursor: "id",
      authScopes: CUSTOMERS_READ,
      description: "The tenant's imports, newest first.",
      resolve: (query, _root, _args, ctx) => listImportJobs(adminService(ctx), query),
    },
    { name: "ImportJobConnection" },
  ),
}));

const StartCustomerImportInput = builder.inputType("StartCustomerImportInput", {
  description: "Give either file (a GraphQL multipart upload) or path (a file inside the server's IMPORT_DIR).",
  fields: (t) => ({
    file: t.field({ type: "File" }),
    path: t.string({ description: "Relative to IMPORT_DIR; paths leading outside it are refused." }),
    format: t.field({ type: ImportFormat, description: "Default: from the file name (.csv, .json, .ndjson / .jsonl)." }),
    mode: t.field({ type: ImportMode, description: "Default INSERT." }),
    matchBy: t.field({ type: ImportMatch, description: "Default UID." }),
    matchField: t.string({ description: "The custom field key matchBy FIELD matches on." }),
    mapping: t.field({
      type: "JSONObject",
      description: 'Column → field, e.g. { "E-Mail": "email", "Plan": "customFields.plan", "x": null }.',
    }),
    dryRun: t.boolean({ description: "Validate every row (uniqueness included) and write no customer." }),
  }),
});

builder.mutationFields((t) => ({
  startCustomerImport: t.field({
    ...mutationResult(ImportJobRef, "job", CUSTOMERS_WRITE),
    description: "Starts an import in the background of this node and answers its job at once; follow it with importJob.",
    args: { input: t.arg({ type: StartCustomerImportInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const service = adminService(ctx);
      if (Boolean(input.file) === Boolean(input.path)) {
        throw new ValidationError([{ field: "input.file", message: "give either file or path" }]);
      }
      const source = input.file ? await spoolUpload(ctx.imports, input.file) : await serverFile(ctx.imports, input.path!);
      const { file: _file, path: _path, mapping, ...options } = input;
      return startImport(service, source, { ...options, mapping: mapping as Record<string, string | null> | null });
    },
  }),
  cancelImport: t.field({
    ...mutationResult(ImportJobRef, "job", CUSTOMERS_WRITE),
    description: "Asks an import to stop after its current batch (what was written stays). A finished job is answered as it is.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const job = await cancelImport(adminService(ctx), localIdOrNull(id, "ImportJob") ?? "");
      if (!job) throw new NotFoundError("IMPORT_JOB_NOT_FOUND");
      return job;
    },
  }),
}));
