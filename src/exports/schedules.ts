import { Cron } from "croner";
import { z } from "zod";
import { diff, transact } from "../db/transact.ts";
import { isUniqueViolation } from "../db/unique.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { ExportSchedule, Prisma } from "../generated/prisma/client.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { prepareExport, type ExportRequest } from "./selection.ts";

// Export schedules: an export request (format, selection, fields) run on a cron expression read in
// the schedule's IANA time zone (croner: no dependencies, time zones and DST handled, @daily /
// @weekly / @monthly nicknames), its files kept in EXPORT_DIR (runner.ts keeps the newest `keep`).

export interface ExportScheduleInput extends ExportRequest {
  name: string;
  /** Five-field cron (minute hour day month weekday) or @daily, @weekly, @monthly. */
  cron: string;
  timeZone: string;
  keep?: number | null;
  active?: boolean | null;
}

export type ExportSchedulePatch = Partial<ExportScheduleInput>;

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const rules = {
  name: z.string().trim().min(1, "give a name").max(100, "at most 100 characters"),
  cron: z.string().trim().min(1, "give a cron expression").max(100, "at most 100 characters"),
  timeZone: z.string().refine(isTimeZone, "not an IANA time zone (e.g. Europe/Paris)"),
  keep: z.number().int().min(1, "at least 1").max(1000, "at most 1000"),
  active: z.boolean(),
};

/** The next run strictly after `after`, in `timeZone`; null when the expression never fires again. */
export function nextRunAfter(cron: string, timeZone: string, after: Date): Date | null {
  return new Cron(cron, { timezone: timeZone, paused: true }).nextRun(after);
}

function checkCron(cron: string, timeZone: string, path: string): void {
  try {
    if (nextRunAfter(cron, timeZone, new Date()) === null) throw new Error("never runs");
  } catch (error) {
    throw new ValidationError([{ field: `${path}.cron`, message: `not a cron expression: ${(error as Error).message}` }]);
  }
}

const nameTaken = () => new ConflictError("EXPORT_SCHEDULE_NAME_TAKEN", "name", "another export schedule has this name");
async function translate<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw isUniqueViolation(error, "name") ? nameTaken() : error;
  }
}

type Relations = { include?: Prisma.ExportScheduleInclude; select?: Prisma.ExportScheduleSelect };

/** One schedule of the caller's tenant by id, or null. Cost: one indexed statement. */
export async function findExportSchedule(ctx: ServiceContext, id: string, relations: Relations = {}): Promise<ExportSchedule | null> {
  return isUuid(id) ? ctx.db.exportSchedule.findFirst({ ...relations, where: { id, tenantId: ctx.tenantId } }) : null;
}

/** A page of the tenant's schedules, newest first, as Pothos's prismaConnection asks for it. */
export function listExportSchedules(ctx: ServiceContext, page: { cursor?: { id?: unknown }; take?: number; skip?: number } & Relations) {
  const cursor = page.cursor?.id;
  if (cursor !== undefined && (typeof cursor !== "string" || !isUuid(cursor)))
    throw new ValidationError([{ field: "after", message: "not a cursor returned by this list" }]);
  return ctx.db.exportSchedule.findMany({
    ...(page as object),
    cursor: cursor ? { id_tenantId: { id: cursor, tenantId: ctx.tenantId } } : undefined,
    where: { tenantId: ctx.tenantId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

/** The stored columns of a checked schedule input (selection compiled for the tenant first). */
async function columns(ctx: ServiceContext, input: ExportScheduleInput) {
  const parsed = parseInput(z.object({ ...rules, keep: rules.keep.nullish(), active: rules.active.nullish() }), input, "input");
  checkCron(parsed.cron, parsed.timeZone, "input");
  const { request } = await prepareExport(ctx, input, "input");
  const active = parsed.active ?? true;
  return {
    name: parsed.name,
    cron: parsed.cron,
    timeZone: parsed.timeZone,
    keep: parsed.keep ?? 7,
    active,
    format: request.format,
    selection: request.selection as Prisma.InputJsonObject,
    fields: request.fields,
    nextRunAt: active ? nextRunAfter(parsed.cron, parsed.timeZone, new Date()) : null,
  };
}

const audited = (s: ExportSchedule) => ({
  scheduleId: s.id,
  name: s.name,
  cron: s.cron,
  timeZone: s.timeZone,
  format: s.format,
  selection: s.selection,
  fields: s.fields,
  keep: s.keep,
  active: s.active,
});

/** Creates a schedule. Records `export_schedule.created`. Cost: the selection's checks, one transaction. */
export async function createExportSchedule(ctx: ServiceContext, input: ExportScheduleInput): Promise<ExportSchedule> {
  const data = await columns(ctx, input);
  return translate(
    transact(ctx, async (tx, audit) => {
      const schedule = await tx.exportSchedule.create({ data: { ...data, tenantId: ctx.tenantId } });
      await audit({ type: "export_schedule.created", data: audited(schedule) });
      return schedule;
    }),
  );
}

/**
 * Changes what is given; the next run is computed again from now. Records
 * `export_schedule.updated` with the changes (nothing when nothing changed).
 */
export async function updateExportSchedule(ctx: ServiceContext, id: string, patch: ExportSchedulePatch): Promise<ExportSchedule> {
  const before = await findExportSchedule(ctx, id);
  if (!before) throw new NotFoundError("EXPORT_SCHEDULE_NOT_FOUND");
  const merged = {
    name: patch.name ?? before.name,
    cron: patch.cron ?? before.cron,
    timeZone: patch.timeZone ?? before.timeZone,
    keep: patch.keep ?? before.keep,
    active: patch.active ?? before.active,
    format: patch.format ?? before.format,
    selection: patch.selection ?? (before.selection as ExportRequest["selection"]),
    fields: patch.fields ?? before.fields,
  };
  const next = await columns(ctx, merged);
  return translate(
    transact(ctx, async (tx, audit) => {
      const current = await tx.exportSchedule.findFirst({ where: { id: before.id, tenantId: ctx.tenantId } });
      if (!current) throw new NotFoundError("EXPORT_SCHEDULE_NOT_FOUND");
      const { nextRunAt, ...compared } = next;
      const changes = diff(current as Record<string, unknown>, compared);
      if (Object.keys(changes).length === 0) return current;
      const schedule = await tx.exportSchedule.update({ where: { id: current.id }, data: { ...compared, nextRunAt } });
      await audit({ type: "export_schedule.updated", data: { scheduleId: schedule.id, name: schedule.name, changes } });
      return schedule;
    }),
  );
}

/** Deletes a schedule and its file rows (runner.ts removes the files). Records `export_schedule.deleted`. */
export async function deleteExportSchedule(ctx: ServiceContext, id: string): Promise<ExportSchedule> {
  return transact(ctx, async (tx, audit) => {
    const schedule = isUuid(id) ? await tx.exportSchedule.findFirst({ where: { id, tenantId: ctx.tenantId } }) : null;
    if (!schedule) throw new NotFoundError("EXPORT_SCHEDULE_NOT_FOUND");
    await tx.exportSchedule.delete({ where: { id: schedule.id } });
    await audit({ type: "export_schedule.deleted", data: audited(schedule) });
    return schedule;
  });
}
