import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExportCommand } from "../src/cli/export.ts";
import { ValidationError } from "../src/errors.ts";
import { CreateCustomerExportDocument } from "./generated/graphql.ts";
import { auditTrail } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Exports larger than a page (pages of 3 rows here), over a real HTTP server, and the CLI. Tenant A
// has no custom-field definitions: its CSV columns are the keys found in its customers.

const gw = useTestGateway({ env: { EXPORT_PAGE_SIZE: "3" }, listen: true });
const dir = mkdtempSync(join(tmpdir(), "exports-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SAME_INSTANT = new Date("2024-05-05T05:05:05.005Z");

beforeAll(async () => {
  for (let i = 0; i < 10; i++) {
    const c = await gw.createCustomer({
      uid: `c${i}`,
      username: `user${i}`,
      firstName: i === 0 ? "=HYPERLINK(1)" : `n${i}`,
      lastName: i === 0 ? 'a,"b"' : null,
    });
    // Four customers created in the same millisecond: the id breaks the tie, across a page boundary.
    if (i >= 2 && i < 6) await gw.db.customer.update({ where: { id: rowIdOf(c.id) }, data: { createdAt: SAME_INSTANT } });
    if (i === 0) {
      await gw.db.customer.update({
        where: { id: rowIdOf(c.id) },
        data: { customFields: { plus: "+1", minus: "-2", at: "@x", tab: "\tt", cr: "\rc", plain: "ok" } },
      });
    }
  }
});

function rowIdOf(globalId: string): string {
  return Buffer.from(globalId, "base64").toString("utf8").split(":")[1];
}

async function linkUrl(format: "CSV" | "NDJSON") {
  const payload = (await gw.gql(CreateCustomerExportDocument, { input: { format } })).data!.createCustomerExport;
  if (payload.__typename !== "CreateCustomerExportPayload") throw new Error(JSON.stringify(payload));
  return new URL(payload.export.url, gw.url).toString();
}

describe("exports across pages", () => {
  it("writes every customer once, in (createdAt, id) order, over a real HTTP response sent in chunks", async () => {
    const response = await fetch(await linkUrl("NDJSON"));
    expect(response.status).toBe(200);
    expect(response.headers.get("transfer-encoding")).toBe("chunked");
    const uids = (await response.text())
      .trimEnd()
      .split("\n")
      .map((l) => (JSON.parse(l) as { uid: string }).uid);
    const expected = await gw.db.customer.findMany({
      where: { tenantId: gw.tenants.A.id },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { uid: true },
    });
    expect(uids).toHaveLength(10);
    expect(new Set(uids).size).toBe(10);
    expect(uids).toEqual(expected.map((c) => c.uid));
  });

  it("CSV: custom-field columns from the keys found (no definitions), formula-like cells prefixed with ', quotes doubled", async () => {
    const text = await (await fetch(await linkUrl("CSV"))).text();
    const [header, ...rows] = text.split("\r\n").filter(Boolean);
    expect(
      header.endsWith(",customFields.at,customFields.cr,customFields.minus,customFields.plain,customFields.plus,customFields.tab"),
    ).toBe(true);
    const c0 = rows.find((r) => r.startsWith("c0,"))!;
    expect(c0).toContain(`,'=HYPERLINK(1),,"a,""b""",`);
    expect(c0.endsWith(`,'@x,"'\rc",'-2,ok,'+1,'\tt`)).toBe(true);
    expect(rows).toHaveLength(10);
  });
});

describe("the CLI", () => {
  const cli = (options: Record<string, string>, stdout = new PassThrough()) =>
    runExportCommand(
      { database: gw.app.database, events: gw.app.events, args: [], options: { tenant: "tenant-a", ...options }, print: () => {} },
      stdout,
    );

  it("writes to stdout, or to a file under a temporary name renamed when complete, and audits as SYSTEM", async () => {
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on("data", (c: Buffer) => chunks.push(c));
    expect(await cli({ format: "ndjson", fields: "uid,firstName", filter: '{"username":{"equals":"user7"}}' }, stdout)).toBe(0);
    const text = Buffer.concat(chunks).toString();
    expect(text.endsWith("\n") && JSON.parse(text)).toEqual({ uid: "c7", firstName: "n7" });
    const out = join(dir, "all.csv");
    const window = { "created-after": SAME_INSTANT.toISOString(), "created-before": new Date(SAME_INSTANT.getTime() + 1).toISOString() };
    expect(await cli({ format: "csv", out, ...window })).toBe(0);
    expect(readFileSync(out, "utf8").split("\r\n").filter(Boolean)).toHaveLength(1 + 4);
    expect(existsSync(`${out}.partial`)).toBe(false);
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type.startsWith("export.")).slice(-2);
    expect(events).toMatchObject([
      { type: "export.created", actorKind: "SYSTEM", actorId: "cli" },
      { type: "export.completed", data: { rows: 4 } },
    ]);
  });

  it("refuses a filter of the wrong type before writing anything", async () => {
    const out = join(dir, "bad.csv");
    await expect(cli({ filter: '{"username":{"equals":1}}', out })).rejects.toBeInstanceOf(ValidationError);
    expect(existsSync(out) || existsSync(`${out}.partial`)).toBe(false);
  });
});
