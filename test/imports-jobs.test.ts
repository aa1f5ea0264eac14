import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { print } from "graphql";
import { describe, expect, it } from "vitest";
import { createCredential } from "../src/admin-auth/service.ts";
import { CancelImportDocument, ImportJobDocument, StartCustomerImportDocument } from "./generated/graphql.ts";
import { importDir, importFile, ndjson, waitForJob } from "./helpers/imports.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Imports as jobs: uploads (GraphQL multipart requests), server paths confined to IMPORT_DIR,
// cancellation, the CSV error report over HTTP, and who may start or read them.

const dir = importDir();
const gw = useTestGateway({ listen: true, env: { IMPORT_DIR: dir, IMPORT_MAX_UPLOAD_BYTES: "4096" } });
const base = () => gw.url.replace(/\/graphql$/, "");

/** Sends startCustomerImport as a GraphQL multipart request with `content` as input.file. */
async function upload(content: string, name: string, headers = gw.tenants.A.headers) {
  const form = new FormData();
  form.set("operations", JSON.stringify({ query: print(StartCustomerImportDocument), variables: { input: { file: null } } }));
  form.set("map", JSON.stringify({ 0: ["variables.input.file"] }));
  form.set("0", new File([content], name));
  const response = await fetch(gw.url, { method: "POST", headers, body: form });
  return {
    status: response.status,
    body: (await response.json()) as { data?: { startCustomerImport: { __typename: string; job?: { id: string } } } },
  };
}

describe("startCustomerImport", () => {
  it("takes the file as a GraphQL multipart upload", async () => {
    const { status, body } = await upload(ndjson({ uid: "up-1", email: "upload@example.com" }), "people.ndjson");
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.data, JSON.stringify(body)).toBeTruthy();
    const payload = body.data!.startCustomerImport;
    expect(payload.__typename).toBe("StartCustomerImportPayload");
    expect(await waitForJob(gw, payload.job!.id)).toMatchObject({ status: "COMPLETED", fileName: "people.ndjson", imported: 1 });
  });

  it("refuses an upload larger than IMPORT_MAX_UPLOAD_BYTES", async () => {
    const { status } = await upload(ndjson({ uid: "x", firstName: "y".repeat(80_000) }), "big.ndjson");
    expect(status).toBe(413);
  });

  it("reads server paths only inside IMPORT_DIR", async () => {
    symlinkSync("/etc/passwd", join(dir, "escape.csv"));
    for (const path of ["../../etc/passwd", "/etc/passwd", "escape.csv", "missing.csv"]) {
      const res = await gw.gql(StartCustomerImportDocument, { input: { path, format: "CSV" } });
      expect(res.data?.startCustomerImport, path).toMatchObject({ __typename: "ValidationError", issues: [{ field: "input.path" }] });
    }
    writeFileSync(join(dir, "noext"), "{}");
    const res = await gw.gql(StartCustomerImportDocument, { input: { path: "noext" } });
    expect(res.data?.startCustomerImport).toMatchObject({ __typename: "ValidationError", issues: [{ field: "input.format" }] });
  });

  it("is refused to a credential with CUSTOMERS_READ only, which may still read the job", async () => {
    const { credential, secret } = await createCredential(gw.serviceContext("A"), { name: "reader", scopes: ["CUSTOMERS_READ"] });
    const reader = { headers: { "x-api-key": credential.keyId, "x-api-secret": secret } };
    writeFileSync(join(dir, "r.ndjson"), ndjson({ uid: "r-1", email: "r@example.com" }));
    const refused = await gw.gql(StartCustomerImportDocument, { input: { path: "r.ndjson" } }, reader);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const job = await importFile(gw, dir, "r.ndjson", ndjson({ uid: "r-1", email: "r@example.com" }));
    expect((await gw.gql(ImportJobDocument, { id: job.id }, reader)).data?.importJob?.status).toBe("COMPLETED");
    expect((await gw.gql(CancelImportDocument, { id: job.id }, reader)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("cancelImport", () => {
  it("stops an import between batches: what was written stays, the job ends CANCELLED", async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ uid: `c-${i}`, email: `c${i}@example.com` }));
    writeFileSync(join(dir, "many.ndjson"), ndjson(...rows));
    const started = (await gw.gql(StartCustomerImportDocument, { input: { path: "many.ndjson" } })).data!.startCustomerImport;
    if (started.__typename !== "StartCustomerImportPayload") throw new Error(started.__typename);
    const cancelled = (await gw.gql(CancelImportDocument, { id: started.job.id })).data!.cancelImport;
    expect(cancelled).toMatchObject({ job: { cancelRequestedAt: expect.any(String) } });
    const job = await waitForJob(gw, started.job.id);
    expect(job.status).toBe("CANCELLED");
    expect(job.imported).toBeLessThan(10_000);
    expect(await gw.db.customer.count({ where: { uid: { startsWith: "c-" } } })).toBe(job.imported);
    const event = await gw.db.auditEvent.findFirst({ where: { type: "import.cancelled" }, orderBy: { seq: "desc" } });
    expect(event?.data).toMatchObject({ jobId: expect.any(String), imported: job.imported });
  });
});

describe("GET /imports/<id>/errors.csv", () => {
  it("streams the row errors as CSV to an admin of the job's tenant, and to no one else", async () => {
    const job = await importFile(gw, dir, "errs.csv", 'uid,email\ne-1,"=cmd,x"\ne-2,e2@example.com\n');
    expect(job).toMatchObject({ failed: 1, errorReportUrl: expect.stringMatching(/^\/imports\/[0-9a-f-]{36}\/errors\.csv$/) });
    const url = base() + job.errorReportUrl;
    const ok = await fetch(url, { headers: gw.tenants.A.headers });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(await ok.text()).toBe("row,field,message\r\n1,email,not a valid email address\r\n");
    expect((await fetch(url, { headers: gw.tenants.B.headers })).status).toBe(404);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { ...gw.tenants.A.headers, "x-api-secret": "wrong" } })).status).toBe(401);
  });
});

describe("a node starting", () => {
  it("marks FAILED an import whose process stopped (no heartbeat for a minute), and leaves a live one running", async () => {
    const old = new Date(Date.now() - 120_000);
    const tenantId = gw.tenants.A.id;
    const dead = await gw.db.job.create({ data: { tenantId, kind: "IMPORT", status: "RUNNING", heartbeatAt: old, startedAt: old } });
    const live = await gw.db.job.create({ data: { tenantId, kind: "IMPORT", status: "RUNNING", heartbeatAt: new Date() } });
    await gw.addNode();
    expect(await gw.db.job.findUniqueOrThrow({ where: { id: dead.id } })).toMatchObject({
      status: "FAILED",
      error: expect.stringMatching(/^the process running this job stopped/),
    });
    expect((await gw.db.job.findUniqueOrThrow({ where: { id: live.id } })).status).toBe("RUNNING");
    await gw.db.job.delete({ where: { id: live.id } });
  });
});
