import { existsSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { createCredential } from "../src/admin-auth/service.ts";
import { exportFilePath, runDueExports, type ExportFilesDeps } from "../src/exports/runner.ts";
import { nextRunAfter } from "../src/exports/schedules.ts";
import {
  CreateExportScheduleDocument,
  DeleteExportScheduleDocument,
  ExportSchedulesDocument,
  RunExportScheduleNowDocument,
  UpdateExportScheduleDocument,
  type ExportScheduleInput,
} from "./generated/graphql.ts";
import { TEST_EXPORT_DIR, type As } from "./helpers/gateway.ts";
import { rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Scheduled exports: cron in the schedule's time zone, one run per due time across racing nodes,
// keep-N pruning, files listed and downloaded by link, audit events.

const gw = useTestGateway();
const deps = (): ExportFilesDeps => ({ db: gw.db, events: gw.app.events, sql: gw.app.database.sql, dir: TEST_EXPORT_DIR, pageSize: 2 });

beforeAll(async () => {
  for (const uid of ["s1", "s2", "s3"]) await gw.createCustomer({ uid, username: `user-${uid}` });
  await gw.createCustomer({ uid: "b1", username: "user-b1" }, "B");
});

async function create(input: ExportScheduleInput, as: As = "A") {
  const payload = (await gw.gql(CreateExportScheduleDocument, { input }, as)).data!.createExportSchedule;
  if (payload.__typename !== "CreateExportSchedulePayload") throw new Error(JSON.stringify(payload));
  return payload.exportSchedule;
}

async function runNow(id: string, as: As = "A") {
  const payload = (await gw.gql(RunExportScheduleNowDocument, { id }, as)).data!.runExportScheduleNow;
  if (payload.__typename !== "RunExportScheduleNowPayload") throw new Error(JSON.stringify(payload));
  return payload.exportFile;
}

const parisHour = (iso: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", hour: "2-digit", hourCycle: "h23" }).format(new Date(iso));

describe("timetable", () => {
  it("daily 02:00 Europe/Paris: the next run is 02:00 Paris time, before and after the DST changes", async () => {
    const schedule = await create({ name: "nightly", cron: "0 2 * * *", timeZone: "Europe/Paris", format: "NDJSON" });
    expect(parisHour(schedule.nextRunAt!)).toBe("02");
    expect(new Date(schedule.nextRunAt!).getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    const runs = (from: string, n: number) => {
      const out: string[] = [];
      let at = new Date(from);
      for (let i = 0; i < n; i++) out.push((at = nextRunAfter("0 2 * * *", "Europe/Paris", at)!).toISOString());
      return out;
    };
    // 29 March 2026: 02:00 does not exist (clocks go to 03:00), the run is at 03:00 CEST; then 02:00 CEST.
    expect(runs("2026-03-27T12:00:00Z", 3)).toEqual(["2026-03-28T01:00:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-30T00:00:00.000Z"]);
    // 25 October 2026: 02:00 happens twice, the run happens once; then 02:00 CET.
    expect(runs("2026-10-23T12:00:00Z", 3)).toEqual(["2026-10-24T00:00:00.000Z", "2026-10-25T00:00:00.000Z", "2026-10-26T01:00:00.000Z"]);
  });

  it("refuses a bad cron, time zone or filter and saves nothing", async () => {
    for (const [input, field] of [
      [{ name: "x", cron: "61 * * * *", timeZone: "UTC" }, "input.cron"],
      [{ name: "x", cron: "@daily", timeZone: "Mars/Olympus" }, "input.timeZone"],
      [{ name: "x", cron: "@daily", timeZone: "UTC", selection: { filter: { and: [] } } }, "input.selection.filter.and"],
    ] as [ExportScheduleInput, string][]) {
      const res = await expectNoWrites(gw.db, () => gw.gql(CreateExportScheduleDocument, { input }));
      expect(res.data!.createExportSchedule.__typename).toBe("ValidationError");
      expect(JSON.stringify(res.data)).toContain(field);
    }
  });
});

describe("runs", () => {
  it("a due schedule runs once even with two runners racing, and moves to its next time", async () => {
    const schedule = await create({ name: "race", cron: "*/5 * * * *", timeZone: "UTC", format: "CSV" });
    const past = new Date(Date.now() - 60_000);
    await gw.db.exportSchedule.update({ where: { id: rowId(schedule.id) }, data: { nextRunAt: past } });
    const [one, two] = await Promise.all([runDueExports(deps()), runDueExports(deps())]);
    const files = [...one, ...two].filter((f) => f.scheduleId === rowId(schedule.id));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ status: "COMPLETED", rows: 3 });
    const after = await gw.db.exportSchedule.findUniqueOrThrow({ where: { id: rowId(schedule.id) } });
    expect(after.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
    expect(after.lastRunAt).not.toBeNull();
    expect(await runDueExports(deps())).toEqual([]);
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === "export.completed");
    expect(events.at(-1)).toMatchObject({ actorKind: "SYSTEM", data: { scheduleId: rowId(schedule.id), rows: 3 } });
  });

  it("keeps the newest N files: older ones are deleted from disk and marked DELETED", async () => {
    const schedule = await create({ name: "keep-two", cron: "@weekly", timeZone: "UTC", keep: 2, format: "NDJSON", fields: ["UID"] });
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await runNow(schedule.id));
    const rows = await gw.db.exportFile.findMany({ where: { scheduleId: rowId(schedule.id) }, orderBy: { startedAt: "asc" } });
    expect(rows.map((r) => r.status)).toEqual(["DELETED", "COMPLETED", "COMPLETED"]);
    expect(existsSync(exportFilePath(TEST_EXPORT_DIR, rows[0]))).toBe(false);
    const newest = readFileSync(exportFilePath(TEST_EXPORT_DIR, rows[2]), "utf8");
    expect(
      newest
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([{ uid: "s1" }, { uid: "s2" }, { uid: "s3" }]);
    expect(made[2]).toMatchObject({ status: "COMPLETED", rows: 3, bytes: Buffer.byteLength(newest) });
    const [event] = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === "export.completed").slice(-1);
    expect(event).toMatchObject({ actorKind: "ADMIN", actorId: gw.tenants.A.credentialId, data: { exportId: rowId(made[2].id) } });
  });

  it("lists files with a download link that serves the file; B lists none of A's schedules and exports only its own", async () => {
    const listed = (await gw.gql(ExportSchedulesDocument, { first: 10 })).data!.exportSchedules.edges.find(
      (e) => e.node.name === "keep-two",
    )!;
    const [newest] = listed.node.files.edges;
    const response = await gw.app.yoga.fetch(`http://gateway.test${newest.node.downloadUrl!}`);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="${newest.node.fileName}"`);
    expect((await response.text()).split("\n")[0]).toBe('{"uid":"s1"}');
    const deleted = listed.node.files.edges.find((e) => e.node.status === "DELETED")!;
    expect(deleted.node.downloadUrl).toBeNull();

    expect((await gw.gql(ExportSchedulesDocument, { first: 10 }, "B")).data!.exportSchedules.edges).toEqual([]);
    const theirs = await create({ name: "b-nightly", cron: "@daily", timeZone: "UTC", format: "NDJSON", fields: ["UID"] }, "B");
    const file = await runNow(theirs.id, "B");
    const path = exportFilePath(TEST_EXPORT_DIR, { tenantId: gw.tenants.B.id, fileName: file.fileName });
    expect(readFileSync(path, "utf8")).toBe('{"uid":"b1"}\n');
  });

  it("a run that fails (its segment deleted since) records export.failed and a FAILED file", async () => {
    const schedule = await create({ name: "gone", cron: "@daily", timeZone: "UTC", selection: { segmentId: "U2VnbWVudDpub3Bl" } }).catch(
      (e: Error) => e,
    );
    expect(schedule).toBeInstanceOf(Error); // an unknown segment is refused when saving
    const ok = await create({ name: "to-break", cron: "@daily", timeZone: "UTC" });
    await gw.db.exportSchedule.update({
      where: { id: rowId(ok.id) },
      data: { selection: { segmentId: "00000000-0000-4000-8000-000000000000" } },
    });
    const file = await runNow(ok.id);
    expect(file).toMatchObject({ status: "FAILED", error: "segment not found" });
    const [event] = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === "export.failed").slice(-1);
    expect(event.data).toMatchObject({ exportId: rowId(file.id), error: "segment not found" });
  });
});

describe("management", () => {
  it("update and delete are audited; delete removes the files", async () => {
    const schedule = await create({ name: "to-change", cron: "@daily", timeZone: "UTC" });
    const file = await runNow(schedule.id);
    const res = (await gw.gql(UpdateExportScheduleDocument, { id: schedule.id, input: { cron: "0 6 * * 1", active: false } })).data!
      .updateExportSchedule;
    expect(res).toMatchObject({ exportSchedule: { cron: "0 6 * * 1", active: false, nextRunAt: null } });
    const deleted = (await gw.gql(DeleteExportScheduleDocument, { id: schedule.id })).data!.deleteExportSchedule;
    expect(deleted).toMatchObject({ deletedExportScheduleId: schedule.id });
    expect(existsSync(exportFilePath(TEST_EXPORT_DIR, { tenantId: gw.tenants.A.id, fileName: file.fileName }))).toBe(false);
    const types = (await auditTrail(gw.db, gw.tenants.A.id)).map((e) => e.type).filter((t) => t.startsWith("export_schedule."));
    expect(types.slice(-3)).toEqual(["export_schedule.created", "export_schedule.updated", "export_schedule.deleted"]);
  });

  it("CUSTOMERS_READ lists but cannot manage; TENANT_ADMIN manages but gets no download link", async () => {
    const make = async (scopes: ("CUSTOMERS_READ" | "TENANT_ADMIN")[]) => {
      const { credential, secret } = await createCredential(gw.serviceContext("A"), { name: scopes.join("+"), scopes });
      return { headers: { "x-api-key": credential.keyId, "x-api-secret": secret } };
    };
    const reader = await make(["CUSTOMERS_READ"]);
    const refused = await gw.gql(CreateExportScheduleDocument, { input: { name: "nope", cron: "@daily", timeZone: "UTC" } }, reader);
    expect(refused.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await gw.gql(ExportSchedulesDocument, { first: 10 }, reader)).data!.exportSchedules.edges.length).toBeGreaterThan(0);
    const admin = await make(["TENANT_ADMIN"]);
    await create({ name: "by-tenant-admin", cron: "@monthly", timeZone: "UTC" }, admin);
    const listed = await gw.gql(ExportSchedulesDocument, { first: 10 }, admin);
    expect(listed.errors?.[0].extensions?.code).toBe("FORBIDDEN"); // downloadUrl
  });
});

describe("the gateway's scheduler", () => {
  const ticking = useTestGateway({ env: { EXPORT_SCHEDULER_INTERVAL_MS: "50" } });

  it("runs a due schedule on its own, once, and stops with the gateway", async () => {
    const created = (await ticking.gql(CreateExportScheduleDocument, { input: { name: "ticked", cron: "@hourly", timeZone: "UTC" } })).data!
      .createExportSchedule;
    if (created.__typename !== "CreateExportSchedulePayload") throw new Error(JSON.stringify(created));
    const id = rowId(created.exportSchedule.id);
    await ticking.db.exportSchedule.update({ where: { id }, data: { nextRunAt: new Date(Date.now() - 1000) } });
    const files = async () => ticking.db.exportFile.findMany({ where: { scheduleId: id } });
    for (let waited = 0; (await files()).length === 0 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // a few more ticks: nothing is due any more
    expect(await files()).toMatchObject([{ status: "COMPLETED" }]);
  });
});
