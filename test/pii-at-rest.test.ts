import { describe, expect, it } from "vitest";
import { loadDeliveryInput } from "../src/connectors/payload.ts";
import { sqlReadState } from "../src/graphql/sql-read/plugin.ts";
import { sealExistingProfiles } from "../src/customers/seal-existing.ts";
import {
  AccountInformationDocument,
  CreateCustomerExportDocument,
  CustomerDocument,
  DefineCustomFieldDocument,
  PiiCustomersDocument,
  UpdateCustomerDocument,
  UpdateCustomFieldDocument,
} from "./generated/graphql.ts";
import { rowId } from "./helpers/ids.ts";
import { importDir, importFile, ndjson } from "./helpers/imports.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Birthdate, addresses and custom fields defined as PII are sealed at rest (src/pii/profile.ts):
// the row holds none of them in clear, every reader (GraphQL, filters, exports, connector inputs,
// account information) sees them opened, exact match works through the blind index.

const dir = importDir();
const gw = useTestGateway({ env: { IMPORT_DIR: dir } });

const HOME = { type: "home", line1: "12 Analytical Row", city: "Marylebone", country: "GB" };

const storedRow = async (id: string) => {
  const [row] = await gw.db.$queryRaw<
    { birthdate: Date | null; addresses: unknown; customFields: unknown; sealed: string | null; index: unknown; text: string }[]
  >`
    SELECT birthdate, addresses, custom_fields AS "customFields", pii_sealed AS sealed, pii_index AS index, row_to_json(c)::text AS text
    FROM customer c WHERE id = ${rowId(id)}::uuid`;
  return row!;
};

async function defineFields() {
  for (const input of [
    { key: "ssn", type: "STRING" as const, pii: true, access: "CUSTOMER_READ" as const },
    { key: "tier", type: "STRING" as const, searchable: true },
  ]) {
    const res = await gw.gql(DefineCustomFieldDocument, { input });
    expect(res.data?.defineCustomField.__typename).toBe("DefineCustomFieldPayload");
  }
}

let ssnCount = 0;
const ssnOf = new Map<string, string>();
async function ada(uid = "ada") {
  ssnOf.set(uid, `078-05-${1120 + ssnCount++}`);
  return gw.createCustomer({
    uid,
    firstName: "Ada",
    birthdate: "1815-12-10",
    addresses: [HOME],
    emails: [{ address: `${uid}@at-rest.example` }],
    customFields: { ssn: ssnOf.get(uid)!, tier: "gold" },
  });
}

const customersWhere = async (filter: object) => {
  const res = await gw.gql(PiiCustomersDocument, { filter });
  return res;
};

describe("PII at rest", () => {
  it("stores birthdate, addresses and PII custom fields sealed, and reads them back opened", async () => {
    await defineFields();
    const created = await ada();
    expect(created).toMatchObject({ birthdate: "1815-12-10", addresses: [expect.objectContaining({ line1: HOME.line1 })] });
    const row = await storedRow(created.id);
    expect(row).toMatchObject({ birthdate: null, addresses: [], customFields: { tier: "gold" } });
    expect(row.sealed).toMatch(/^[0-9a-f-]{36}\./);
    expect(row.text).not.toMatch(/1815|Analytical|Marylebone|078-05/);
    expect(Object.keys(row.index as object)).toEqual(["ssn"]);

    const one = await gw.gql(CustomerDocument, { id: created.id });
    expect(one.data!.customer).toMatchObject({ birthdate: "1815-12-10", customFields: { ssn: "078-05-1120", tier: "gold" } });
    const served = sqlReadState.served;
    const list = await customersWhere({ email: { equals: "ada@at-rest.example" } });
    expect(sqlReadState.served - served).toBe(1); // the SQL read served it, sealed fields included
    expect(list.data!.customers.edges[0]!.node).toEqual({
      uid: "ada",
      birthdate: "1815-12-10",
      addresses: [{ line1: HOME.line1, city: HOME.city }],
      customFields: { ssn: "078-05-1120", tier: "gold" },
    });
  });

  it("updates one sealed field and keeps the others; the audit diff names only what changed", async () => {
    const created = await ada("ada-update");
    const res = await gw.gql(UpdateCustomerDocument, { id: created.id, input: { birthdate: "1815-12-11" } });
    expect(res.data?.updateCustomer.__typename).toBe("UpdateCustomerPayload");
    const one = (await gw.gql(CustomerDocument, { id: created.id })).data!.customer!;
    expect(one).toMatchObject({ birthdate: "1815-12-11", customFields: { ssn: ssnOf.get("ada-update"), tier: "gold" } });
    expect(one.addresses).toHaveLength(1);
    const [event] = await gw.db.auditEvent.findMany({ where: { customerId: rowId(created.id), type: "customer.updated" } });
    expect(JSON.stringify(event!.data)).not.toContain("1815");
    expect((await storedRow(created.id)).text).not.toMatch(/1815|Analytical/);
  });

  it("finds a PII custom field by exact match through its blind index, and refuses ranges and text search", async () => {
    await ada("ada-filter");
    const ssn = ssnOf.get("ada-filter")!;
    const found = await customersWhere({ customFields: [{ key: "ssn", equals: ssn }] });
    expect(found.data!.customers.edges.map((e) => e.node.uid)).toEqual(["ada-filter"]);
    const inList = await customersWhere({ customFields: [{ key: "ssn", in: ["nope", ssn] }] });
    expect(inList.data!.customers.edges.map((e) => e.node.uid)).toEqual(["ada-filter"]);
    const none = await customersWhere({ customFields: [{ key: "ssn", equals: ssn.slice(0, -1) }] });
    expect(none.data!.customers.edges).toEqual([]);
    const refused = await customersWhere({ customFields: [{ key: "ssn", startsWith: "078" }] });
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [{ field: "filter.customFields.0.startsWith", message: expect.stringContaining("exact match only") }],
    });
  });

  it("imports into a customer matched by a PII field (its blind index), and seals what the import writes", async () => {
    const created = await ada("ada-import");
    const row = { customFields: { ssn: ssnOf.get("ada-import") }, birthdate: "1816-01-01", nickname: "Countess" };
    const job = await importFile(gw, dir, "pii.ndjson", ndjson(row), { mode: "UPSERT", matchBy: "FIELD", matchField: "ssn" });
    expect(job).toMatchObject({ imported: 0, updated: 1, failed: 0 });
    expect((await gw.gql(CustomerDocument, { id: created.id })).data!.customer).toMatchObject({
      nickname: "Countess",
      birthdate: "1816-01-01",
      customFields: { ssn: ssnOf.get("ada-import"), tier: "gold" },
    });
    expect((await storedRow(created.id)).text).not.toMatch(/1816|078-05/);
  });

  it("refuses a PII field that is also searchable (an index in clear)", async () => {
    const res = await gw.gql(DefineCustomFieldDocument, { input: { key: "passport", type: "STRING", pii: true, searchable: true } });
    expect(res.data?.defineCustomField).toMatchObject({ __typename: "ValidationError", issues: [{ field: "searchable" }] });
  });

  it("opens sealed fields in exports (CSV and NDJSON), connector inputs and the account information", async () => {
    const created = await ada("ada-out");
    const link = async (format: "CSV" | "NDJSON") => {
      const payload = (
        await gw.gql(CreateCustomerExportDocument, {
          input: {
            format,
            fields: ["UID", "BIRTHDATE", "CUSTOM_FIELDS", "ADDRESSES"],
            selection: { filter: { email: { equals: "ada-out@at-rest.example" } } },
          },
        })
      ).data!.createCustomerExport;
      if (payload.__typename !== "CreateCustomerExportPayload") throw new Error(JSON.stringify(payload));
      return (await gw.app.yoga.fetch(`http://gateway.test${payload.export.url}`)).text();
    };
    const ndjson = JSON.parse((await link("NDJSON")).trim());
    expect(ndjson).toMatchObject({ uid: "ada-out", birthdate: "1815-12-10", customFields: { ssn: ssnOf.get("ada-out"), tier: "gold" } });
    expect(ndjson.addresses).toEqual([HOME]);
    const csv = (await link("CSV")).split("\r\n");
    expect(csv[0]).toBe("uid,birthdate,customFields.ssn,customFields.tier,addresses");
    expect(csv[1]).toBe(
      `ada-out,1815-12-10,${ssnOf.get("ada-out")},gold,"[{""city"": ""Marylebone"", ""type"": ""home"", ""line1"": ""12 Analytical Row"", ""country"": ""GB""}]"`,
    );

    const [event] = await gw.db.auditEvent.findMany({ where: { customerId: rowId(created.id) } });
    const input = await loadDeliveryInput(gw.db, {
      id: "d",
      tenantId: gw.tenants.A.id,
      eventId: event!.id,
      customerId: rowId(created.id),
      test: false,
    });
    expect(input.customer).toMatchObject({
      birthdate: "1815-12-10",
      addresses: [HOME],
      customFields: { ssn: ssnOf.get("ada-out"), tier: "gold" },
    });
    expect(JSON.stringify(input)).not.toContain("~pii~");

    const doc = await gw.gql(AccountInformationDocument, { customerId: created.id, format: "JSON" });
    expect(JSON.stringify(doc.data)).toContain("1815-12-10");
    expect(JSON.stringify(doc.data)).toContain(ssnOf.get("ada-out"));
  });

  it("does not open a sealed profile copied onto another customer (bound to its id)", async () => {
    const victim = await ada("ada-victim");
    const thief = await gw.createCustomer({ uid: "thief", emails: [{ address: "thief@at-rest.example" }] });
    await gw.db.$executeRaw`
      UPDATE customer SET pii_sealed = (SELECT pii_sealed FROM customer WHERE id = ${rowId(victim.id)}::uuid) WHERE id = ${rowId(thief.id)}::uuid`;
    const res = await gw.gql(CustomerDocument, { id: thief.id });
    expect(res.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    expect(JSON.stringify(res)).not.toContain("1815");
  });

  it("seals what was stored in clear (`pii encrypt-existing`), and moves a field back to clear once it is no longer PII", async () => {
    const created = await ada("ada-legacy");
    const customerId = rowId(created.id);
    await gw.db.$executeRaw`
      UPDATE customer SET birthdate = '1815-12-10', addresses = ${JSON.stringify([HOME])}::jsonb,
        custom_fields = custom_fields || '{"ssn": "078-05-10120"}'::jsonb, pii_sealed = NULL, pii_index = '{}' WHERE id = ${customerId}::uuid`;
    const clear = await customersWhere({ customFields: [{ key: "ssn", equals: "078-05-10120" }] });
    expect(clear.data!.customers.edges.map((e) => e.node.uid)).toContain("ada-legacy");

    const ctx = gw.serviceContext("A");
    expect(await sealExistingProfiles(ctx)).toBeGreaterThanOrEqual(1);
    const row = await storedRow(created.id);
    expect(row).toMatchObject({ birthdate: null, addresses: [], customFields: { tier: "gold" } });
    expect((await gw.gql(CustomerDocument, { id: created.id })).data!.customer).toMatchObject({
      birthdate: "1815-12-10",
      customFields: { ssn: "078-05-10120", tier: "gold" },
    });
    expect(await sealExistingProfiles(ctx)).toBe(0);

    const ssn = (await gw.db.customFieldDefinition.findFirstOrThrow({ where: { tenantId: gw.tenants.A.id, key: "ssn" } })).id;
    await gw.gql(UpdateCustomFieldDocument, { id: Buffer.from(`CustomFieldDefinition:${ssn}`).toString("base64"), input: { pii: false } });
    expect(await sealExistingProfiles(ctx)).toBeGreaterThanOrEqual(1);
    expect((await storedRow(created.id)).customFields).toEqual({ tier: "gold", ssn: "078-05-10120" });
    expect((await gw.gql(CustomerDocument, { id: created.id })).data!.customer!.birthdate).toBe("1815-12-10");
  });
});
