import { builder } from "../graphql/builder.ts";
import { mutationResult } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { adminOnlyNode } from "../graphql/nodes.ts";
import { CUSTOMERS_READ, EXPORT_SCHEDULE_DATA, TENANT_ADMIN } from "../graphql/policies.ts";
import type { ExportField } from "./fields.ts";
import { exportFileLink } from "./links.ts";
import { removeScheduleFiles, runExportScheduleNow } from "./runner.ts";
import {
  createExportSchedule,
  deleteExportSchedule,
  listExportSchedules,
  updateExportSchedule,
  type ExportScheduleInput as ExportScheduleInputValue,
} from "./schedules.ts";
import { CustomerExportField, CustomerExportFormat, CustomerExportSelection, serviceSelection } from "./schema.ts";

// Export schedules: managed by tenant admins (TENANT_ADMIN), listed by them and by admins who
// read customers; only the latter get download links (ExportFile.downloadUrl).

const ExportFileStatus = builder.enumType("ExportFileStatus", { values: ["RUNNING", "COMPLETED", "FAILED", "DELETED"] as const });

export const ExportFileRef = builder.prismaNode("ExportFile", {
  ...adminOnlyNode(EXPORT_SCHEDULE_DATA),
  description: "One run of an export schedule: a file in EXPORT_DIR while it is among the schedule's newest `keep`.",
  fields: (t) => ({
    fileName: t.exposeString("fileName"),
    format: t.expose("format", { type: CustomerExportFormat }),
    status: t.expose("status", { type: ExportFileStatus }),
    rows: t.exposeInt("rows", { nullable: true }),
    bytes: t.field({ type: "SafeInt", nullable: true, resolve: (f) => (f.bytes === null ? null : Number(f.bytes)) }),
    error: t.exposeString("error", { nullable: true }),
    startedAt: t.expose("startedAt", { type: "DateTime" }),
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true }),
    downloadUrl: t.string({
      nullable: true,
      authScopes: CUSTOMERS_READ,
      description: "A link valid for 10 minutes (GET on the gateway, no headers needed); null unless COMPLETED.",
      resolve: async (f, _args, ctx) =>
        f.status === "COMPLETED" ? (await exportFileLink(adminService(ctx), ctx.auth.keys.masterKey, f.id)).url : null,
    }),
  }),
});

export const ExportScheduleRef = builder.prismaNode("ExportSchedule", {
  ...adminOnlyNode(EXPORT_SCHEDULE_DATA),
  description: "An export written to the gateway's EXPORT_DIR on a cron schedule in the schedule's time zone.",
  fields: (t) => ({
    name: t.exposeString("name"),
    cron: t.exposeString("cron", { description: "Five-field cron (minute hour day month weekday) or @daily, @weekly, @monthly." }),
    timeZone: t.exposeString("timeZone"),
    format: t.expose("format", { type: CustomerExportFormat }),
    selection: t.field({ type: "JSONObject", resolve: (s) => s.selection as Record<string, unknown> }),
    fields: t.field({ type: [CustomerExportField], resolve: (s) => s.fields as ExportField[] }),
    keep: t.exposeInt("keep", { description: "How many of the newest completed files are kept." }),
    active: t.exposeBoolean("active"),
    nextRunAt: t.expose("nextRunAt", { type: "DateTime", nullable: true }),
    lastRunAt: t.expose("lastRunAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    files: t.relatedConnection("files", {
      cursor: "id",
      description: "Newest first.",
      query: { orderBy: [{ startedAt: "desc" }, { id: "desc" }] },
    }),
  }),
});

builder.queryFields((t) => ({
  exportSchedules: t.prismaConnection(
    {
      type: "ExportSchedule",
      cursor: "id",
      authScopes: EXPORT_SCHEDULE_DATA,
      description: "The tenant's export schedules, newest first.",
      resolve: (query, _root, _args, ctx) => listExportSchedules(adminService(ctx), query),
    },
    { name: "ExportScheduleConnection" },
  ),
}));

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
/** The fields of both inputs: required to create, optional to change. */
const scheduleFields = (t: PothosSchemaTypes.InputFieldBuilder<Types, "InputObject">, required: boolean) => ({
  name: t.string({ required, description: "1 to 100 characters, unique within the tenant." }),
  cron: t.string({ required, description: "Five-field cron or @daily, @weekly, @monthly, read in timeZone." }),
  timeZone: t.string({ required, description: "IANA, e.g. Europe/Paris." }),
  format: t.field({ type: CustomerExportFormat }),
  selection: t.field({ type: CustomerExportSelection }),
  fields: t.field({ type: [CustomerExportField] }),
  keep: t.int({ description: "Completed files kept (default 7)." }),
  active: t.boolean({ description: "Default true." }),
});

const ExportScheduleInput = builder.inputType("ExportScheduleInput", { fields: (t) => scheduleFields(t, true) });
const ExportSchedulePatch = builder.inputType("ExportSchedulePatch", {
  description: "Only the fields given change; the next run is computed again.",
  fields: (t) => scheduleFields(t, false),
});

const scheduleId = (id: string) => localIdOrNull(id, "ExportSchedule") ?? "";
const returnsSchedule = mutationResult(ExportScheduleRef, "exportSchedule", TENANT_ADMIN);
const definedOnly = <T extends object>(input: T) => Object.fromEntries(Object.entries(input).filter(([, v]) => v != null));

builder.mutationFields((t) => ({
  createExportSchedule: t.field({
    ...returnsSchedule,
    args: { input: t.arg({ type: ExportScheduleInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      createExportSchedule(adminService(ctx), { ...(input as ExportScheduleInputValue), selection: serviceSelection(input.selection) }),
  }),
  updateExportSchedule: t.field({
    ...returnsSchedule,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: ExportSchedulePatch, required: true }) },
    resolve: (_root, { id, input }, ctx) =>
      updateExportSchedule(adminService(ctx), scheduleId(id), {
        ...definedOnly(input),
        ...(input.selection ? { selection: serviceSelection(input.selection) } : {}),
      }),
  }),
  deleteExportSchedule: t.field({
    ...mutationResult("ID", "deletedExportScheduleId", TENANT_ADMIN),
    description: "Deletes the schedule, its files and their rows.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const schedule = await deleteExportSchedule(adminService(ctx), scheduleId(id));
      await removeScheduleFiles(ctx.exportFiles.dir, schedule);
      return id;
    },
  }),
  runExportScheduleNow: t.field({
    ...mutationResult(ExportFileRef, "exportFile", TENANT_ADMIN),
    description: "Runs the schedule now (its timetable is unchanged) and answers the file, COMPLETED or FAILED.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => {
      const service = adminService(ctx);
      return runExportScheduleNow(service, { db: ctx.db, events: ctx.events, sql: ctx.sql, ...ctx.exportFiles }, scheduleId(id));
    },
  }),
}));
