import { EncryptJWT } from "jose";
import { randomBytes } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createCredential } from "../src/admin-auth/service.ts";
import { CreateCustomerExportDocument, CreateSegmentDocument, type CreateCustomerExportInput } from "./generated/graphql.ts";
import { seedFilterFixture } from "./helpers/filter-fixture.ts";
import type { As } from "./helpers/gateway.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Customer exports through the real endpoint: createCustomerExport answers a link, GET streams the
// file. Pages of 2 rows, so every export here crosses page boundaries.

const gw = useTestGateway({ env: { EXPORT_PAGE_SIZE: "2" } });
const ORDER = ["ada", "alan", "grace", "linus", "barbara"]; // by createdAt (the fixture's)
beforeAll(() => seedFilterFixture(gw));
afterEach(() => vi.useRealTimers());

async function link(input: CreateCustomerExportInput, as: As = "A") {
  const payload = (await gw.gql(CreateCustomerExportDocument, { input }, as)).data!.createCustomerExport;
  if (payload.__typename !== "CreateCustomerExportPayload") throw new Error(JSON.stringify(payload));
  return payload.export;
}

const get = (url: string) => gw.app.yoga.fetch(`http://gateway.test${url}`);

async function download(input: CreateCustomerExportInput, as: As = "A") {
  const response = await get((await link(input, as)).url);
  expect(response.status).toBe(200);
  return response.text();
}

const ndjson = (text: string) =>
  text
    .trimEnd()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
const csvLines = (text: string) => text.split("\r\n").filter(Boolean);

describe("formats and fields", () => {
  it("CSV: the shared record's columns, one per active custom-field key, primary contacts, formula-safe cells, in createdAt order", async () => {
    const lines = csvLines(await download({ format: "CSV" }));
    expect(lines[0]).toBe(
      "uid,username,email,emailVerified,phone,phoneVerified,firstName,middleName,lastName,nickname,birthdate,gender,locale,timezone," +
        "company,jobTitle,status,createdAt,updatedAt,lastLoginAt,customFields.born,customFields.nick,customFields.ratio," +
        "customFields.score,customFields.seen,customFields.skills,customFields.tags,customFields.tier,customFields.vip",
    );
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(ORDER);
    const ada = lines[1];
    // The phone starts with +: prefixed with ' so a spreadsheet does not read it as a formula.
    expect(ada).toMatch(/^ada,ada,ada@example\.com,true,'\+14155550101,true,Ada,,Lovelace,,,,,,,,ACTIVE,2023-01-01T00:00:00\.000Z,/);
    expect(ada).toMatch(/,1990-01-01,Countess,1\.5,10,2024-01-01T10:00:00\.000Z,"\[""math""\]","\[""a"", ""b""\]",gold,true$/);
    expect(lines[5]).toMatch(/^barbara,,,,'\+14155550105,false,Barbara,.*DISABLED/);
  });

  it("JSON: an array of records with the optional relations asked for, nothing else", async () => {
    const text = await download({
      format: "JSON",
      fields: ["UID", "EMAILS", "PHONES", "IDENTITIES", "CONSENTS", "CUSTOM_OBJECTS", "ADDRESSES"],
    });
    const records = JSON.parse(text) as Record<string, unknown>[];
    expect(records.map((r) => r.uid)).toEqual(ORDER);
    expect(Object.keys(records[0])).toEqual(["uid", "addresses", "emails", "phones", "identities", "consents", "customObjects"]);
    expect(records[0]).toMatchObject({
      emails: [
        { value: "ada@example.com", primary: true, verified: true },
        { value: "countess@math.example", primary: false, verified: false },
      ],
      phones: [{ value: "+14155550101", primary: true, verified: true }],
      identities: [{ provider: "google", providerUserId: "g-ada", profile: {} }],
      consents: [{ purpose: "marketing", version: "2", source: "test", revokedAt: null }],
      customObjects: [{ name: "wishlist", data: { sku: "x1", qty: 2 } }],
      addresses: [],
    });
    expect((records[1].consents as { revokedAt: string }[])[0].revokedAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    // The same records as NDJSON: one line each, relations included (PostgreSQL writes no newline inside them).
    const lines = (
      await download({ format: "NDJSON", fields: ["UID", "EMAILS", "PHONES", "IDENTITIES", "CONSENTS", "CUSTOM_OBJECTS", "ADDRESSES"] })
    ).split("\n");
    expect(lines.slice(0, -1).map((l) => JSON.parse(l) as unknown)).toEqual(records);
  });

  it("NDJSON: one record per line, custom fields as stored, and an empty selection is an empty file (JSON: [])", async () => {
    const records = ndjson(await download({ format: "NDJSON", fields: ["UID", "CUSTOM_FIELDS", "LAST_LOGIN_AT"] }));
    expect(records[2]).toEqual({
      uid: "grace",
      customFields: { score: 30, seen: "2024-06-01T00:00:00.000Z", skills: ["cobol", "math"] },
      lastLoginAt: "2024-02-01T00:00:00.000Z",
    });
    const none = { selection: { filter: { username: { equals: "nobody" } } } };
    expect(await download({ format: "NDJSON", ...none })).toBe("");
    expect(JSON.parse(await download({ format: "JSON", ...none }))).toEqual([]);
  });
});

describe("selections", () => {
  it("a segment, a filter and both (ANDed)", async () => {
    const created = (
      await gw.gql(CreateSegmentDocument, { input: { name: "gold", filter: { customFields: [{ key: "tier", equals: "gold" }] } } })
    ).data!.createSegment;
    if (created.__typename !== "CreateSegmentPayload") throw new Error(JSON.stringify(created));
    const uids = async (selection: CreateCustomerExportInput["selection"]) =>
      ndjson(await download({ format: "NDJSON", fields: ["UID"], selection })).map((r) => r.uid);
    expect(await uids({ segmentId: created.segment.id })).toEqual(["ada", "barbara"]);
    expect(await uids({ filter: { status: ["ACTIVE"], email: { contains: "example" } } })).toEqual(["ada", "alan", "grace", "linus"]);
    expect(await uids({ segmentId: created.segment.id, filter: { status: ["ACTIVE"] } })).toEqual(["ada"]);
  });

  it("a createdAt window is half-open: createdAfter ≤ createdAt < createdBefore; updatedAfter selects by last change", async () => {
    const uids = async (selection: CreateCustomerExportInput["selection"]) =>
      ndjson(await download({ format: "NDJSON", fields: ["UID"], selection })).map((r) => r.uid);
    expect(await uids({ createdAfter: "2023-01-02T00:00:00.000Z", createdBefore: "2023-01-04T00:00:00.000Z" })).toEqual(["alan", "grace"]);
    expect(await uids({ updatedAfter: "2100-01-01T00:00:00.000Z" })).toEqual([]);
    expect(await uids({ updatedBefore: "2100-01-01T00:00:00.000Z" })).toEqual(ORDER);
  });

  it("a bad filter or an unknown segment is a typed error and records nothing", async () => {
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(CreateCustomerExportDocument, { input: { selection: { filter: { customFields: [{ key: "nope", equals: "x" }] } } } }),
    );
    expect(res.data!.createCustomerExport).toMatchObject({ __typename: "ValidationError" });
    expect(JSON.stringify(res.data)).toContain("input.selection.filter.customFields.0.key");
    const unknown = await expectNoWrites(gw.db, () =>
      gw.gql(CreateCustomerExportDocument, { input: { selection: { segmentId: "U2VnbWVudDoxMjM=" } } }),
    );
    expect(unknown.data!.createCustomerExport).toMatchObject({ __typename: "NotFoundError", code: "SEGMENT_NOT_FOUND" });
  });
});

describe("audit", () => {
  it("records export.created with the selection, then export.completed with rows and bytes", async () => {
    const made = await link({ format: "NDJSON", fields: ["UID"], selection: { filter: { status: ["DISABLED"] } } });
    const body = await (await get(made.url)).text();
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type.startsWith("export."));
    const [created, completed] = events.slice(-2);
    expect(created).toMatchObject({
      type: "export.created",
      actorKind: "ADMIN",
      actorId: gw.tenants.A.credentialId,
      data: { format: "NDJSON", fields: ["uid"], selection: { filter: { status: ["DISABLED"] } } },
    });
    expect(completed).toMatchObject({
      type: "export.completed",
      data: { exportId: (created.data as { exportId: string }).exportId, rows: 1, bytes: Buffer.byteLength(body) },
    });
  });
});

describe("download links", () => {
  it("answer 410 once expired, 403 when tampered with or forged, and 403 after the credential is revoked", async () => {
    const made = await link({ format: "CSV" });
    expect(new Date(made.expiresAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    const token = made.url.slice("/exports/".length);
    const flipped = token.slice(0, 60) + (token[60] === "A" ? "B" : "A") + token.slice(61);
    expect((await get(`/exports/${flipped}`)).status).toBe(403);
    expect((await get("/exports/not-a-link")).status).toBe(403);
    const forged = await new EncryptJWT({
      request: { format: "CSV", selection: {}, fields: ["uid"] },
      credentialId: gw.tenants.B.credentialId,
    })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
      .setSubject(gw.tenants.A.id)
      .setJti("forged")
      .setExpirationTime("10m")
      .encrypt(randomBytes(32));
    expect((await get(`/exports/${forged}`)).status).toBe(403);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 11 * 60_000);
    expect((await get(made.url)).status).toBe(410);
    vi.useRealTimers();

    const admin = gw.serviceContext("A");
    const { credential, secret } = await createCredential(admin, { name: "short-lived", scopes: ["CUSTOMERS_READ"] });
    const theirs = await link({ format: "CSV" }, { headers: { "x-api-key": credential.keyId, "x-api-secret": secret } });
    expect((await get(theirs.url)).status).toBe(200);
    await gw.db.adminCredential.update({ where: { id: credential.id }, data: { revokedAt: new Date() } });
    expect((await get(theirs.url)).status).toBe(403);
  });

  it("a link made by tenant B exports B's customers only", async () => {
    await gw.createCustomer({ uid: "bob-of-b", emails: [{ address: "bob@b.example" }] }, "B");
    const records = ndjson(await download({ format: "NDJSON", fields: ["UID"] }, "B"));
    expect(records).toEqual([{ uid: "bob-of-b" }]);
  });

  it("refuses an admin without CUSTOMERS_READ (AUDIT_READ only)", async () => {
    const { credential, secret } = await createCredential(gw.serviceContext("A"), { name: "auditor", scopes: ["AUDIT_READ"] });
    const res = await gw.gql(
      CreateCustomerExportDocument,
      { input: {} },
      { headers: { "x-api-key": credential.keyId, "x-api-secret": secret } },
    );
    expect(res.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect(res.data?.createCustomerExport ?? null).toBeNull();
  });

  it("the GET answers an attachment with the format's content type", async () => {
    const response = await get((await link({ format: "NDJSON" })).url);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="customers-.*\.ndjson"$/);
    expect(response.headers.get("content-length")).toBeNull();
    await response.text();
  });
});
