import { pbkdf2Sync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { unsealAuditData } from "../src/pii/audit-seal.ts";
import { openProfiles } from "../src/pii/profile.ts";
import { tenantPii } from "../src/pii/at-rest.ts";
import { contactText, isSealed } from "../src/customers/phones-at-rest.ts";
import { DefineCustomFieldDocument } from "./generated/graphql.ts";
import { PASSWORD } from "./helpers/gateway.ts";
import { csv, importDir, importFile, ndjson } from "./helpers/imports.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Customer import through the GraphQL API, from files in IMPORT_DIR: every field of the shared
// record format, the modes, dry runs, re-runs, and the bad inputs the issue lists.

const dir = importDir();
const gw = useTestGateway({ env: { IMPORT_DIR: dir } });
const BCRYPT = "$2b$04$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG"; // of PASSWORD (test/helpers/foreign-vectors.ts)

const customers = () => gw.db.customer.count({ where: { tenantId: gw.tenants.A.id } });
// The customer as readers see it: birthdate and addresses are sealed at rest (src/pii/profile.ts).
const byUid = async (uid: string) => {
  const stored = await gw.db.customer.findUniqueOrThrow({
    where: { tenantId_uid: { tenantId: gw.tenants.A.id, uid } },
    include: { contacts: { orderBy: { normalized: "asc" } }, identities: true, consents: true, customObjects: true },
  });
  return (await openProfiles(gw.db, gw.db, stored.tenantId, [stored]))[0]!;
};

describe("startCustomerImport", () => {
  it("imports every field of the record format from NDJSON, and a bcrypt hash signs in and is rehashed to argon2id", async () => {
    await gw.gql(DefineCustomFieldDocument, { input: { key: "plan", type: "ENUM", enumValues: ["gold", "silver"] } });
    const record = {
      uid: "legacy-42",
      username: "Ada",
      firstName: "Ada",
      middleName: "King",
      lastName: "Lovelace",
      nickname: "Countess",
      gender: "female",
      locale: "en-GB",
      timezone: "Europe/London",
      company: "Analytical",
      jobTitle: "Programmer",
      birthdate: "1815-12-10",
      addresses: [{ type: "home", line1: "12 St James's Square", city: "London", postalCode: "SW1Y", country: "gb" }],
      emails: [
        { value: "ada@example.com", primary: true, verified: true },
        { value: "Countess@Example.com", primary: false, verified: false },
      ],
      phones: [{ value: "+44 20 7946 0018", primary: true, verified: false }],
      status: "BLOCKED",
      createdAt: "2020-01-01T00:00:00.000Z",
      updatedAt: "2024-01-01T00:00:00.000Z",
      customFields: { plan: "gold" },
      identities: [{ provider: "google", providerUserId: "g-42", profile: { name: "Ada" } }],
      consents: [{ purpose: "newsletter", version: "v1", source: "import", grantedAt: "2021-01-01T00:00:00.000Z", revokedAt: null }],
      customObjects: [{ name: "preferences", data: { theme: "dark" } }],
      passwordHash: BCRYPT,
    };
    const job = await importFile(
      gw,
      dir,
      "full.ndjson",
      ndjson(record, { uid: "legacy-43", email: "b@example.com", emailVerified: true, passwordHash: BCRYPT }),
    );
    expect(job).toMatchObject({ status: "COMPLETED", format: "NDJSON", rowsRead: 2, imported: 2, failed: 0, skipped: 0 });
    const ada = await byUid("legacy-42");
    expect(ada).toMatchObject({
      username: "ada",
      firstName: "Ada",
      middleName: "King",
      lastName: "Lovelace",
      nickname: "Countess",
      nameSearch: "ada king lovelace countess",
      gender: "female",
      locale: "en-GB",
      timezone: "Europe/London",
      company: "Analytical",
      jobTitle: "Programmer",
      status: "BLOCKED",
      customFields: { plan: "gold" },
      primaryEmail: "ada@example.com",
      passwordHash: BCRYPT,
    });
    expect(ada.birthdate?.toISOString()).toBe("1815-12-10T00:00:00.000Z");
    expect(ada.piiSealed).toEqual(expect.any(String));
    expect(ada.createdAt.toISOString()).toBe("2020-01-01T00:00:00.000Z");
    expect(ada.addresses).toEqual([{ type: "home", line1: "12 St James's Square", city: "London", postalCode: "SW1Y", country: "GB" }]);
    // The phone is sealed at rest (src/customers/phones-at-rest.ts): its row holds a blind index.
    const pii = await tenantPii(gw.db, gw.db, gw.tenants.A.id);
    const contacts = ada.contacts.map((c) => [c.kind, contactText(pii, c), c.primary, c.verified, isSealed(c.normalized)] as const);
    expect(contacts.sort((x, y) => x[1].localeCompare(y[1]))).toEqual([
      ["PHONE", "+442079460018", true, false, true],
      ["EMAIL", "ada@example.com", true, true, false],
      ["EMAIL", "countess@example.com", false, false, false],
    ]);
    expect(ada.identities).toMatchObject([{ provider: "google", providerUserId: "g-42", profile: { name: "Ada" } }]);
    expect(ada.consents).toMatchObject([{ purpose: "newsletter", version: "v1", source: "import", revokedAt: null }]);
    expect(ada.consents[0]!.grantedAt.toISOString()).toBe("2021-01-01T00:00:00.000Z");
    expect(ada.customObjects).toMatchObject([{ name: "preferences", data: { theme: "dark" } }]);
    const events = await unsealAuditData(
      gw.db,
      await gw.db.auditEvent.findMany({ where: { tenantId: gw.tenants.A.id, type: "customer.imported" }, orderBy: { seq: "asc" } }),
    );
    expect(events.map((e) => e.data)).toEqual([
      { uid: "legacy-42", emails: ["ada@example.com", "countess@example.com"], jobId: expect.any(String) },
      { uid: "legacy-43", emails: ["b@example.com"], jobId: expect.any(String) },
    ]);
    expect(events[1]!.seq).toBe(events[0]!.seq + 1n);

    await gw.signIn("b@example.com", PASSWORD);
    const b = await byUid("legacy-43");
    expect(b.passwordHash).toMatch(/^\$argon2id\$/);
    const rehashed = await gw.db.auditEvent.findFirst({ where: { customerId: b.id, type: "customer.password_rehashed" } });
    expect(rehashed?.data).toMatchObject({ from: "bcrypt" });
  });

  it("builds a parameterised hash from passwordHashAlgorithm, passwordSalt and passwordHashParams, which then signs in", async () => {
    const digest = pbkdf2Sync(PASSWORD, "pepper-salt", 1000, 32, "sha256").toString("base64");
    const salt = Buffer.from("pepper-salt").toString("base64");
    const row = { email: "pbkdf2@example.com", passwordHash: digest, passwordHashAlgorithm: "pbkdf2-sha256", passwordSalt: salt };
    const job = await importFile(
      gw,
      dir,
      "pbkdf2.ndjson",
      ndjson(
        { uid: "pb-1", ...row, passwordHashParams: { i: 1000, l: 32 } },
        { uid: "pb-2", ...row, email: "pb2@example.com", passwordHashParams: { i: 0, l: 32 } },
      ),
    );
    expect(job).toMatchObject({ imported: 1, failed: 1 });
    expect(job.errors.edges[0]!.node).toEqual({
      row: 2,
      field: "passwordHash",
      message: "not a valid pbkdf2-sha256 hash or parameters out of range",
    });
    expect((await byUid("pb-1")).passwordHash).toMatch(/^\$pbkdf2-sha256\$i=1000,l=32\$/);
    await gw.signIn("pbkdf2@example.com", PASSWORD);
  });

  it("reads CSV with customFields.<key> columns and JSON-text columns; a re-run imports nothing new", async () => {
    const file = csv(
      "uid,email,emailVerified,firstName,customFields.plan,identities,status",
      `csv-1,csv1@example.com,true,Grace,silver,"[{""provider"":""github"",""providerUserId"":""77""}]",ACTIVE`,
      "csv-2,csv2@example.com,false,,,,",
    );
    const first = await importFile(gw, dir, "people.csv", file);
    expect(first).toMatchObject({ status: "COMPLETED", format: "CSV", rowsRead: 2, imported: 2, failed: 0 });
    expect(await byUid("csv-1")).toMatchObject({
      firstName: "Grace",
      customFields: { plan: "silver" },
      identities: [{ provider: "github" }],
    });
    expect((await byUid("csv-2")).firstName).toBeNull();
    const before = await customers();
    const again = await importFile(gw, dir, "people.csv", file);
    expect(again).toMatchObject({ status: "COMPLETED", imported: 0, skipped: 2, failed: 0 });
    expect(await customers()).toBe(before);
  });

  it("reads a JSON array and applies a mapping", async () => {
    const file = JSON.stringify([{ "E-Mail": "mapped@example.com", Key: "map-1", Plan: "gold", ignored: "x" }]);
    const job = await importFile(gw, dir, "mapped.json", file, {
      mapping: { "E-Mail": "email", Key: "uid", Plan: "customFields.plan", ignored: null },
    });
    expect(job).toMatchObject({ status: "COMPLETED", format: "JSON", imported: 1, warnings: [] });
    expect(await byUid("map-1")).toMatchObject({ primaryEmail: "mapped@example.com", customFields: { plan: "gold" } });
  });

  it("upserts by uid, by email and by a custom-field external id; unchanged rows update nothing", async () => {
    await gw.gql(DefineCustomFieldDocument, { input: { key: "legacyId", type: "STRING" } });
    const base = ndjson(
      { uid: "up-1", email: "up1@example.com", firstName: "One", customFields: { legacyId: "L1" } },
      { uid: "up-2", email: "up2@example.com", firstName: "Two" },
    );
    expect(await importFile(gw, dir, "up.ndjson", base)).toMatchObject({ imported: 2 });
    const byUidRun = await importFile(
      gw,
      dir,
      "up2.ndjson",
      ndjson({ uid: "up-1", firstName: "Uno" }, { uid: "up-3", email: "up3@example.com" }),
      { mode: "UPSERT" },
    );
    expect(byUidRun).toMatchObject({ status: "COMPLETED", imported: 1, updated: 1, skipped: 0 });
    expect((await byUid("up-1")).firstName).toBe("Uno");
    const [updatedEvent] = await unsealAuditData(
      gw.db,
      await gw.db.auditEvent.findMany({
        where: { tenantId: gw.tenants.A.id, type: "customer.updated" },
        orderBy: { seq: "desc" },
        take: 1,
      }),
    );
    expect(updatedEvent?.data).toMatchObject({ changes: { firstName: { from: "One", to: "Uno" } } });
    const byEmail = await importFile(gw, dir, "up3.ndjson", ndjson({ email: "UP2@example.com", lastName: "Deux" }), {
      mode: "UPSERT",
      matchBy: "EMAIL",
    });
    expect(byEmail).toMatchObject({ imported: 0, updated: 1 });
    expect((await byUid("up-2")).lastName).toBe("Deux");
    const byLegacyId = () =>
      importFile(gw, dir, "up4.ndjson", ndjson({ email: "up1@example.com", nickname: "L", customFields: { legacyId: "L1" } }), {
        mode: "UPSERT",
        matchBy: "FIELD",
        matchField: "legacyId",
      });
    expect(await byLegacyId()).toMatchObject({ imported: 0, updated: 1, matchField: "legacyId" });
    expect((await byUid("up-1")).nickname).toBe("L");
    expect(await byLegacyId()).toMatchObject({ imported: 0, updated: 0, skipped: 1 });
  });

  it("validates everything in a dry run and writes no customer", async () => {
    const before = await customers();
    const events = await gw.db.auditEvent.count({ where: { type: { in: ["customer.imported", "customer.updated"] } } });
    const job = await importFile(
      gw,
      dir,
      "dry.ndjson",
      ndjson(
        { uid: "dry-1", email: "dry@example.com" },
        { uid: "csv-1", email: "x@example.com" },
        { uid: "dry-2", email: "dry@example.com" },
      ),
      {
        dryRun: true,
      },
    );
    expect(job).toMatchObject({ status: "COMPLETED", dryRun: true, rowsRead: 3, imported: 1, skipped: 1, failed: 1 });
    expect(job.errors.edges.map((e) => e.node)).toEqual([
      { row: 3, field: "emails", message: "repeats an earlier row of the file (email dry@example.com)" },
    ]);
    expect(await customers()).toBe(before);
    expect(await gw.db.auditEvent.count({ where: { type: { in: ["customer.imported", "customer.updated"] } } })).toBe(events);
  });
});

describe("bad input", () => {
  it("reports each bad row (row, field, message) and imports the good ones", async () => {
    const job = await importFile(
      gw,
      dir,
      "mixed.ndjson",
      ndjson(
        { uid: "ok-1", email: "ok1@example.com" },
        { uid: "bad-hash", email: "h@example.com", passwordHash: "$2b$04$short" },
        { uid: "bad-field", email: "f@example.com", customFields: { plan: "platinum" } },
        { uid: "bad-email", email: "not-an-email" },
        { uid: "dup", email: "dup1@example.com" },
        { uid: "dup", email: "dup2@example.com" },
        { uid: "taken", email: "csv1@example.com" },
      ) + "{not json\n",
    );
    expect(job).toMatchObject({ status: "COMPLETED", rowsRead: 8, imported: 2, failed: 6 });
    expect(job.errors.edges.map((e) => e.node)).toEqual([
      { row: 2, field: "passwordHash", message: "an unknown or malformed password hash" },
      { row: 3, field: "customFields.plan", message: "not one of gold, silver" },
      { row: 4, field: "email", message: "not a valid email address" },
      { row: 6, field: "uid", message: "repeats an earlier row of the file (uid dup)" },
      { row: 7, field: "emails", message: "email csv1@example.com belongs to another customer" },
      { row: 8, field: "row", message: "not a JSON object" },
    ]);
  });

  it("fails a malformed CSV at the broken row and keeps the rows before it", async () => {
    const job = await importFile(
      gw,
      dir,
      "broken.csv",
      csv("uid,email", "mal-1,mal1@example.com", "mal-2,mal2@example.com", '"mal-3,mal3@example.com', "mal-4,mal4@example.com"),
    );
    expect(job.status).toBe("FAILED");
    expect(job.error).toMatch(/^malformed CSV after row 2: Quote Not Closed/);
    expect(job.imported).toBe(2);
    await byUid("mal-2");
  });

  it("fails a file that is not UTF-8 (Latin-1) with a clear message", async () => {
    const job = await importFile(gw, dir, "latin1.csv", Buffer.from("uid,firstName\nlat-1,Jos\xe9\n", "latin1"));
    expect(job).toMatchObject({ status: "FAILED", imported: 0, error: "the file is not valid UTF-8 (near byte 0): save it as UTF-8" });
  });

  it("turns a 10 MB cell into a row error", async () => {
    const job = await importFile(
      gw,
      dir,
      "huge.csv",
      csv("uid,email,firstName", `big-1,big1@example.com,${"x".repeat(10 * 1024 * 1024)}`, "big-2,big2@example.com,B"),
    );
    expect(job).toMatchObject({ status: "COMPLETED", imported: 1, failed: 1 });
    expect(job.errors.edges[0]!.node).toEqual({ row: 1, field: "firstName", message: "cell larger than 64 KiB" });
  });

  it("ignores unknown columns and reports them once as a warning", async () => {
    const job = await importFile(
      gw,
      dir,
      "unknown.csv",
      csv("uid,email,shoeSize,favouriteColour", "unk-1,unk1@example.com,42,red", "unk-2,unk2@example.com,43,blue"),
    );
    expect(job).toMatchObject({ status: "COMPLETED", imported: 2, warnings: ["ignored unknown columns: shoeSize, favouriteColour"] });
  });

  it("completes a file of 0 rows with 0 counts", async () => {
    expect(await importFile(gw, dir, "empty.csv", "uid,email\n")).toMatchObject({ status: "COMPLETED", rowsRead: 0, imported: 0 });
    expect(await importFile(gw, dir, "empty.json", "[]")).toMatchObject({ status: "COMPLETED", rowsRead: 0 });
    expect(await importFile(gw, dir, "empty.ndjson", "")).toMatchObject({ status: "COMPLETED", rowsRead: 0 });
  });
});
