import { createHash, randomUUID } from "node:crypto";
import { isObjectType } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ONLY_PROFILE_FIELDS } from "../src/account-information/document.ts";
import { MAX_AUDIT_EVENTS } from "../src/account-information/gather.ts";
import { createCredential } from "../src/admin-auth/service.ts";
import { schema } from "../src/graphql/schema.ts";
import {
  AccountInformationDocument,
  BlockCustomerDocument,
  CreateCustomObjectDocument,
  DefineCustomFieldDocument,
  GrantConsentDocument,
  IssuePasswordResetTokenDocument,
  MyAccountInformationDocument,
  RevokeConsentDocument,
  UnblockCustomerDocument,
  UpdateCustomerCustomFieldsDocument,
  type AccountInformationFormat,
  type DefineCustomFieldInput,
} from "./generated/graphql.ts";
import { PASSWORD, type SignedIn } from "./helpers/gateway.ts";
import { globalId, rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// The account-information download (admin accountInformation, the customer's myAccountInformation):
// every section with real data, no secret anywhere, every value escaped in the HTML page, the
// customer's audience rules, not found for other tenants' and unknown ids, the audit event, and a
// bounded document for a customer with more audit events than it holds.

const gw = useTestGateway();
const SCRIPT = "<script>alert(1)</script>";
const ATTRIBUTE = `"><img src=x onerror=alert(1)>`;
const HOSTILE = `${SCRIPT}${ATTRIBUTE}`;
const BLOCK_REASON = "fraud-check-7f3a";
const ADMIN_ONLY_VALUE = "churn-risk-high";
const EMAIL = "ada@info.example";

let ada = "";
let tokens: SignedIn;
let resetToken = "";
const FORMATS: AccountInformationFormat[] = ["JSON", "HTML"];

type Doc = Record<string, unknown> & {
  customer: Record<string, unknown>;
  customFields: Record<string, unknown>;
  auditEvents: { seq: string; type: string; actor: { kind: string; id: string | null }; data: Record<string, unknown> }[];
};

async function define(input: DefineCustomFieldInput) {
  const out = (await gw.gql(DefineCustomFieldDocument, { input })).data!.defineCustomField;
  if (out.__typename !== "DefineCustomFieldPayload") throw new Error(JSON.stringify(out));
}

const adminDownload = async (format: AccountInformationFormat, customerId = ada, as: "A" | "B" = "A") => {
  const res = await gw.gql(AccountInformationDocument, { customerId, format }, as);
  expect(res.errors).toBeUndefined();
  return res.data!.accountInformation;
};

const myDownload = async (format: AccountInformationFormat) => {
  const res = await gw.gql(MyAccountInformationDocument, { format }, { bearer: tokens.accessToken });
  expect(res.errors).toBeUndefined();
  return res.data!.myAccountInformation;
};

beforeAll(async () => {
  await define({ key: "shown", type: "STRING", access: "CUSTOMER_READ" });
  await define({ key: "pref", type: "ENUM", enumValues: ["dark", "light"], access: "CUSTOMER_EDIT" });
  await define({ key: "internal", type: "STRING" });
  const customer = await gw.createCustomerWithPassword({
    firstName: HOSTILE,
    lastName: "Lovelace",
    emails: [{ address: EMAIL }, { address: "ada.work@info.example" }],
    phones: [{ number: "+4915112340000" }],
    addresses: [{ type: "home", city: ATTRIBUTE, country: "GB" }],
    identities: [{ provider: "google", providerUserId: "g-ada-info", profile: { name: ATTRIBUTE } }],
    customFields: { shown: HOSTILE, pref: "dark", internal: "plain" },
  });
  ada = customer.id;
  // A block and its end (before signing in: a block ends every session), and an admin-only change.
  await gw.gql(BlockCustomerDocument, { id: ada, reason: BLOCK_REASON });
  await gw.gql(UnblockCustomerDocument, { id: ada });
  await gw.gql(UpdateCustomerCustomFieldsDocument, { id: ada, customFields: { internal: ADMIN_ONLY_VALUE } });
  // Consent history: marketing granted then revoked, terms v1 superseded by v2.
  const grant = (purpose: string, version: string) =>
    gw.gql(GrantConsentDocument, { customerId: ada, input: { purpose, version, source: "signup-form" } });
  await grant("marketing.email", "1");
  await gw.gql(RevokeConsentDocument, { customerId: ada, purpose: "marketing.email" });
  await grant("terms", "1");
  await grant("terms", "2");
  await gw.gql(CreateCustomObjectDocument, { customerId: ada, name: "wishlist", data: { item: SCRIPT, note: ATTRIBUTE } });
  const issued = (await gw.gql(IssuePasswordResetTokenDocument, { customerId: ada })).data!.issuePasswordResetToken;
  if (issued.__typename !== "IssuePasswordResetTokenPayload") throw new Error(JSON.stringify(issued));
  resetToken = issued.issued.token!;
  tokens = await gw.signIn(EMAIL, PASSWORD);
});

describe("the admin's download", () => {
  it("holds every section with the customer's data, in the documented shape, as text and as an object", async () => {
    const file = (await adminDownload("JSON"))!;
    expect(file).toMatchObject({
      format: "JSON",
      fileName: `account-information-${rowId(ada)}.json`,
      contentType: "application/json; charset=utf-8",
    });
    const doc = JSON.parse(file.content) as Doc;
    expect(file.data).toEqual(doc);
    expect(Object.keys(doc)).toEqual([
      "generatedAt",
      "audience",
      "customer",
      "emails",
      "phones",
      "identities",
      "sessions",
      "consents",
      "customObjects",
      "customFields",
      "auditEvents",
      "truncated",
      "auditEventsTotal",
    ]);
    expect(doc.audience).toBe("ADMIN");
    expect(doc.customer).toMatchObject({ id: rowId(ada), firstName: HOSTILE, lastName: "Lovelace", status: "ACTIVE", blockReason: null });
    expect(doc.customer.passwordChangedAt).toEqual(expect.any(String));
    expect(doc.emails).toMatchObject([
      { address: EMAIL, primary: true },
      { address: "ada.work@info.example", primary: false },
    ]);
    expect(doc.phones).toMatchObject([{ number: "+4915112340000", primary: true }]);
    expect(doc.identities).toMatchObject([{ provider: "google", providerUserId: "g-ada-info", profile: { name: ATTRIBUTE } }]);
    expect(doc.sessions).toMatchObject([{ id: rowId(tokens.sessionId), active: true, userAgent: "vitest", revokedAt: null }]);
    expect(doc.consents).toMatchObject([
      { purpose: "marketing.email", version: "1", active: false, revokedAt: expect.any(String) },
      { purpose: "terms", version: "1", active: false, revokeSource: "superseded" },
      { purpose: "terms", version: "2", active: true, revokedAt: null },
    ]);
    expect(doc.customObjects).toMatchObject([{ name: "wishlist", data: { item: SCRIPT, note: ATTRIBUTE } }]);
    expect(doc.customFields).toEqual({ shown: HOSTILE, pref: "dark", internal: ADMIN_ONLY_VALUE });
    const types = doc.auditEvents.map((e) => e.type);
    for (const type of ["customer.created", "customer.blocked", "consent.granted", "consent.revoked", "custom_object.created"]) {
      expect(types).toContain(type);
    }
    // The first download: its own event is written at commit, after the document was read.
    expect(types.at(-1)).toBe("customer.signed_in");
    expect(types).not.toContain("customer.account_information_downloaded");
    const seqs = doc.auditEvents.map((e) => BigInt(e.seq));
    expect(seqs).toEqual([...seqs].sort((x, y) => (x < y ? -1 : 1)));
    expect(doc.auditEvents.find((e) => e.type === "customer.blocked")!.data).toMatchObject({
      changes: { blockReason: { to: BLOCK_REASON } },
    });
    expect(doc).toMatchObject({ truncated: false, auditEventsTotal: doc.auditEvents.length });
  });

  it("records customer.account_information_downloaded with the format; a later document holds the earlier download", async () => {
    const before = (await auditTrail(gw.db, gw.tenants.A.id)).length;
    const html = (await adminDownload("HTML"))!;
    const trail = await auditTrail(gw.db, gw.tenants.A.id);
    expect(trail.length).toBe(before + 1);
    expect(trail.at(-1)).toMatchObject({
      type: "customer.account_information_downloaded",
      actorKind: "ADMIN",
      actorId: gw.tenants.A.credentialId,
      customerId: rowId(ada),
      data: { format: "HTML" },
    });
    expect(html.content).toContain("customer.account_information_downloaded"); // the first test's download, not its own
    const next = (await adminDownload("JSON"))!.data as Doc;
    expect(next.auditEvents.at(-1)).toMatchObject({ type: "customer.account_information_downloaded", data: { format: "HTML" } });
  });

  it("answers null, writing nothing, for another tenant's customer, an unknown id, a malformed id and another type's id", async () => {
    const ids = [ada, globalId("Customer", randomUUID()), "not-an-id", globalId("Session", rowId(ada))];
    for (const [customerId, as] of [...ids.slice(1).map((id) => [id, "A"] as const), [ids[0], "B"] as const]) {
      const file = await expectNoWrites(gw.db, () => adminDownload("JSON", customerId, as));
      expect(file, customerId).toBeNull();
    }
  });

  it("refuses a credential without CUSTOMERS_READ (AUDIT_READ only) and anonymous callers, recording no download", async () => {
    const { credential, secret } = await createCredential(gw.serviceContext("A"), { name: "auditor", scopes: ["AUDIT_READ"] });
    const auditor = { headers: { "x-api-key": credential.keyId, "x-api-secret": secret } };
    const downloads = () => gw.db.auditEvent.count({ where: { type: "customer.account_information_downloaded" } });
    const before = await downloads();
    for (const as of [auditor, "anonymous" as const]) {
      const res = await gw.gql(AccountInformationDocument, { customerId: ada, format: "JSON" }, as);
      expect(res.data?.accountInformation ?? null).toBeNull();
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual([as === "anonymous" ? "UNAUTHENTICATED" : "FORBIDDEN"]);
    }
    const asAdmin = await gw.gql(MyAccountInformationDocument, { format: "JSON" }, "A");
    expect(asAdmin.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    expect(await downloads()).toBe(before);
  });

  // retry: once in a full CI run on PostgreSQL, Ada's download counted one statement more than the
  // bare one's (not reproduced in isolation or under CPU load); the warning names it if it recurs.
  it("reads the customer and all its rows in one statement, however many rows it has", { retry: 1 }, async () => {
    const bare = await gw.createCustomer({ emails: [{ address: `bare-${randomUUID()}@info.example` }] });
    const statementsOf = async (id: string) => {
      gw.statements.reset();
      await adminDownload("JSON", id);
      // Key reads (opening sealed audit PII) depend on the process's key caches, not on the rows.
      return gw.statements.sql.filter((sql) => !/admin_credential|customer_key|data_key/.test(sql));
    };
    const forBare = await statementsOf(bare.id);
    const forAda = await statementsOf(ada);
    if (forAda.length !== forBare.length) console.warn("account information statements differ", { forBare, forAda });
    expect(forAda).toEqual(forBare);
    expect(forAda.filter((sql) => /FROM "public"\."customer"/.test(sql))).toHaveLength(1);
  });
});

describe("secrets", () => {
  it("appear nowhere in either format, for the admin or the customer: password hash, tokens, token hashes", async () => {
    const row = await gw.db.customer.findUniqueOrThrow({ where: { id: rowId(ada) } });
    const refreshHashes = await gw.db.refreshToken.findMany({ where: { sessionId: rowId(tokens.sessionId) } });
    const oneTimeHashes = await gw.db.oneTimeToken.findMany({ where: { customerId: rowId(ada) } });
    const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
    const secrets = [
      row.passwordHash!,
      tokens.accessToken,
      tokens.refreshToken,
      sha256(tokens.refreshToken),
      resetToken,
      sha256(resetToken),
      gw.tenants.A.secret,
      ...refreshHashes.map((r) => r.tokenHash),
      ...oneTimeHashes.map((t) => t.tokenHash),
    ];
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(refreshHashes.length).toBeGreaterThan(0);
    expect(oneTimeHashes.length).toBeGreaterThan(0);
    for (const format of FORMATS) {
      for (const file of [await adminDownload(format), await myDownload(format)]) {
        const whole = JSON.stringify(file);
        for (const secret of secrets) expect(whole.includes(secret), `${format}: ${secret.slice(0, 12)}…`).toBe(false);
        expect(whole).not.toMatch(/argon2|passwordHash|tokenHash/i);
      }
    }
  });
});

describe("the HTML page", () => {
  it("escapes every value: the hostile name, address, identity profile, custom field and custom object appear only as text", async () => {
    for (const file of [(await adminDownload("HTML"))!, await myDownload("HTML")]) {
      expect(file).toMatchObject({ format: "HTML", contentType: "text/html; charset=utf-8", data: null });
      expect(file.fileName).toMatch(/^account-information-[0-9a-f-]{36}\.html$/);
      const page = file.content;
      expect(page).not.toContain(SCRIPT);
      expect(page).not.toContain(ATTRIBUTE);
      expect(page).not.toMatch(/<script|<img|onerror=|javascript:/i);
      expect(page).toContain("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;");
      // Title, heading, profile, custom fields; then the address, identity and object (JSON in <pre>).
      expect(page.split("&lt;script&gt;alert(1)").length - 1).toBeGreaterThanOrEqual(5);
      expect(page.split("&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;").length - 1).toBeGreaterThanOrEqual(4);
    }
  });

  it("is self-contained: a strict Content-Security-Policy, inline CSS, no scripts or external resources", async () => {
    const page = (await adminDownload("HTML"))!.content;
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'" />`);
    expect(page.match(/http-equiv=/g)).toHaveLength(1);
    expect(page).not.toMatch(/\b(src|href|action)=|url\(|@import|<link|<iframe|<object/i);
    for (const heading of ["Profile", "Email addresses", "Phone numbers", "Sign-in identities", "Sessions", "Consents", "Custom objects"]) {
      expect(page).toContain(`<h2>${heading}`);
    }
    expect(page).toContain("<h2>Audit events");
  });
});

describe("the customer's own download", () => {
  it("is their own account, with only customer-readable custom fields and none of the admin-only fields or values", async () => {
    for (const format of FORMATS) {
      const file = await myDownload(format);
      for (const hidden of [BLOCK_REASON, ADMIN_ONLY_VALUE, '"internal"', gw.tenants.A.credentialId]) {
        expect(file.content.includes(hidden), `${format}: ${hidden}`).toBe(false);
      }
    }
    const doc = (await myDownload("JSON")).data as Doc;
    expect(doc.audience).toBe("CUSTOMER");
    expect(doc.customer.id).toBe(rowId(ada));
    expect(doc.customFields).toEqual({ shown: HOSTILE, pref: "dark" });
    for (const field of ADMIN_ONLY_PROFILE_FIELDS) expect(doc.customer).not.toHaveProperty(field);
    const blocked = doc.auditEvents.find((e) => e.type === "customer.blocked")!;
    expect(blocked).toMatchObject({ actor: { kind: "ADMIN", id: null }, data: { changes: { status: { from: "ACTIVE", to: "BLOCKED" } } } });
    expect(blocked.data.changes).not.toHaveProperty("blockReason");
    // The admin changed only an admin-only key: the customer sees that an update happened, not what.
    const updates = doc.auditEvents.filter((e) => e.type === "customer.updated");
    expect(updates.map((e) => e.data)).toEqual([{ changes: {} }]);
  });

  it("records the download as the customer's own act", async () => {
    await myDownload("HTML");
    const last = (await auditTrail(gw.db, gw.tenants.A.id)).at(-1)!;
    expect(last).toMatchObject({
      type: "customer.account_information_downloaded",
      actorKind: "CUSTOMER",
      actorId: rowId(ada),
      customerId: rowId(ada),
      data: { format: "HTML" },
    });
  });

  it("keeps the admin-only field list in step with the Customer type's ADMIN_ONLY fields", () => {
    const customer = schema.getType("Customer");
    if (!isObjectType(customer)) throw new Error("no Customer type");
    const adminOnly = Object.values(customer.getFields())
      .filter((f) => JSON.stringify((f.extensions?.pothosOptions as { authScopes?: unknown })?.authScopes) === '{"admin":true}')
      .map((f) => f.name);
    // signInLockedUntil is computed from the lockout settings and not part of the document at all.
    expect(adminOnly.sort()).toEqual([...ADMIN_ONLY_PROFILE_FIELDS, "signInLockedUntil"].sort());
  });
});

describe("a customer with more audit events than a document holds", () => {
  it("holds the newest MAX_AUDIT_EVENTS, oldest first, and says it was truncated, in both formats", async () => {
    const busy = await gw.createCustomer({ emails: [{ address: "busy@info.example" }] });
    const extra = MAX_AUDIT_EVENTS + 5;
    // Events written straight into the trail (as that many sign-ins would), numbered after the tenant's last.
    await gw.db.$executeRaw`
      WITH bumped AS (UPDATE tenant SET audit_seq = audit_seq + ${extra} WHERE id = ${gw.tenants.A.id}::uuid RETURNING audit_seq)
      INSERT INTO audit_event (id, tenant_id, seq, type, actor_kind, customer_id, data)
      SELECT gen_random_uuid(), ${gw.tenants.A.id}::uuid, bumped.audit_seq - ${extra} + n, 'session.refreshed', 'CUSTOMER',
             ${rowId(busy.id)}::uuid, jsonb_build_object('n', n)
      FROM bumped, generate_series(1, ${extra}) AS n`;
    const total = await gw.db.auditEvent.count({ where: { customerId: rowId(busy.id) } });
    const doc = (await adminDownload("JSON", busy.id))!.data as Doc;
    expect(doc).toMatchObject({ truncated: true, auditEventsTotal: total });
    expect(doc.auditEvents).toHaveLength(MAX_AUDIT_EVENTS);
    expect(doc.auditEvents.at(-1)!.data).toEqual({ n: extra });
    expect(doc.auditEvents[0].data).toEqual({ n: extra - MAX_AUDIT_EVENTS + 1 });
    const page = (await adminDownload("HTML", busy.id))!.content;
    // The first download's own event is now one more.
    expect(page).toContain(`The account has ${total + 1} audit events; this document holds the newest ${MAX_AUDIT_EVENTS}.`);
  });
});
