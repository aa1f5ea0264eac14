import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CreateCustomerExportDocument, StartCustomerImportDocument, type CreateCustomerExportInput } from "./generated/graphql.ts";
import { seedFilterFixture } from "./helpers/filter-fixture.ts";
import type { As } from "./helpers/gateway.ts";
import { importDir, waitForJob } from "./helpers/imports.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Export and import speak one record format (RECORD.md in the terms): what an export
// writes, an import reads back without a mapping — into another tenant as the same customers, and
// into the same tenant as nothing to change.

const dir = importDir();
const gw = useTestGateway({ env: { IMPORT_DIR: dir, EXPORT_PAGE_SIZE: "2" } });
beforeAll(() => seedFilterFixture(gw));

const EVERYTHING: CreateCustomerExportInput["fields"] = [
  ...["UID", "USERNAME", "FIRST_NAME", "MIDDLE_NAME", "LAST_NAME", "NICKNAME", "BIRTHDATE", "GENDER", "LOCALE", "TIMEZONE"],
  ...["COMPANY", "JOB_TITLE", "STATUS", "CREATED_AT", "CUSTOM_FIELDS", "ADDRESSES", "EMAILS", "PHONES", "IDENTITIES", "CONSENTS"],
  "CUSTOM_OBJECTS",
] as CreateCustomerExportInput["fields"];

async function exported(input: CreateCustomerExportInput, as: As) {
  const payload = (await gw.gql(CreateCustomerExportDocument, { input }, as)).data!.createCustomerExport;
  if (payload.__typename !== "CreateCustomerExportPayload") throw new Error(JSON.stringify(payload));
  const response = await gw.app.yoga.fetch(`http://gateway.test${payload.export.url}`);
  expect(response.status).toBe(200);
  return response.text();
}

async function imported(name: string, content: string, as: "A" | "B", input: { mode?: "INSERT" | "UPSERT" } = {}) {
  writeFileSync(join(dir, name), content);
  const started = (await gw.gql(StartCustomerImportDocument, { input: { path: name, ...input } }, as)).data!.startCustomerImport;
  if (started.__typename !== "StartCustomerImportPayload") throw new Error(JSON.stringify(started));
  return waitForJob(gw, started.job.id, as);
}

const records = (ndjson: string) =>
  ndjson
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("export → import", () => {
  it("NDJSON with every field, imported into another tenant, exports again as the same records", async () => {
    const fromA = await exported({ format: "NDJSON", fields: EVERYTHING }, "A");
    const job = await imported("from-a.ndjson", fromA, "B");
    expect(job).toMatchObject({ status: "COMPLETED", imported: 5, failed: 0 });
    const fromB = await exported({ format: "NDJSON", fields: EVERYTHING }, "B");
    expect(records(fromB)).toEqual(records(fromA));
  });

  it("CSV (phones and other formula-looking cells escaped) imported back into its own tenant changes nothing", async () => {
    const csv = await exported({ format: "CSV" }, "A");
    expect(csv).toContain("'+1415"); // the escaping under test
    const before = await gw.db.auditEvent.count();
    const job = await imported("from-a.csv", csv, "A", { mode: "UPSERT" });
    expect(job).toMatchObject({ status: "COMPLETED", imported: 0, updated: 0, failed: 0, skipped: 5 });
    const written = await gw.db.auditEvent.findMany({ where: { seq: { gt: 0 } }, orderBy: { occurredAt: "asc" }, skip: before });
    expect(written.map((e) => e.type).filter((t) => t.startsWith("customer."))).toEqual([]);
  });
});
