import { beforeAll, describe, expect, it } from "vitest";
import { DefineCustomFieldDocument, InflowRequestsDocument } from "./generated/graphql.ts";
import { unsealAuditData } from "../src/pii/audit-seal.ts";
import { tenantPii } from "../src/pii/at-rest.ts";
import { contactText, isSealed } from "../src/customers/phones-at-rest.ts";
import { rowId } from "./helpers/ids.ts";
import { createInflowConnector, inflowUrl, postSigned, type TestInflowConnector } from "./helpers/inflow-connectors.ts";
import { snapshotDatabase } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// What an inflow post does to the customer store: the connector's JSONata mapping makes a record of
// the import's format, matched by uid, email or an external id in a custom field (the import's
// --match), validated by the import's and the customers' validation, and applied in one
// transaction with its audit events (actor CONNECTOR), or refused with 422 and its field errors.

const gw = useTestGateway({ listen: true });
const endpoint = (c: TestInflowConnector) => inflowUrl(gw.url, c.id);
const eventsOf = async (customerId: string) =>
  (await unsealAuditData(gw.db, await gw.db.auditEvent.findMany({ where: { customerId }, orderBy: { seq: "asc" } }))).map(
    ({ type, actorKind, actorId, data }) => ({ type, actorKind, actorId, data }),
  );

beforeAll(async () => {
  for (const input of [
    { key: "crm_id", type: "STRING" as const, searchable: true },
    { key: "age", type: "INTEGER" as const },
  ]) {
    const res = await gw.gql(DefineCustomFieldDocument, { input });
    expect(res.data?.defineCustomField.__typename).toBe("DefineCustomFieldPayload");
  }
});

describe("a mapped post matched by an external id in a custom field", () => {
  let crm: TestInflowConnector;
  beforeAll(async () => {
    crm = await createInflowConnector(gw, {
      matchBy: "crm_id",
      mapping: `{ "email": contact.email, "firstName": contact.first_name, "customFields": { "crm_id": $string(id), "age": contact.age } }`,
    });
  });
  const contact = (firstName: string) => ({
    id: 9001,
    type: "contact.updated",
    contact: { email: "lin@crm.example", first_name: firstName, age: 41 },
  });

  it("creates the customer the first time, updates it with a diff the second, and writes no customer event when nothing changed", async () => {
    const created = await postSigned(endpoint(crm), crm, contact("Lin"));
    expect(created).toMatchObject({ status: 200, body: { outcome: "APPLIED", created: true } });
    const id = created.body.customerId as string;
    expect(await gw.db.customer.findUniqueOrThrow({ where: { id } })).toMatchObject({
      firstName: "Lin",
      customFields: { crm_id: "9001", age: 41 },
    });

    const updated = await postSigned(endpoint(crm), crm, contact("Lin Mei"));
    expect(updated).toMatchObject({ status: 200, body: { outcome: "APPLIED", customerId: id, created: false, changed: true } });
    const unchanged = await postSigned(endpoint(crm), crm, contact("Lin Mei"));
    expect(unchanged).toMatchObject({ status: 200, body: { outcome: "APPLIED", customerId: id, created: false, changed: false } });

    expect(await eventsOf(id)).toEqual([
      { type: "customer.created", actorKind: "CONNECTOR", actorId: crm.id, data: expect.objectContaining({ emails: ["lin@crm.example"] }) },
      {
        type: "customer.updated",
        actorKind: "CONNECTOR",
        actorId: crm.id,
        data: { changes: { firstName: { from: "Lin", to: "Lin Mei" } } },
      },
    ]);
    const log = (await gw.gql(InflowRequestsDocument, { connectorId: crm.globalId, first: 10 })).data!.inflowRequests.edges;
    expect(log.map((e) => [e.node.outcome, e.node.created, rowId(e.node.customerId!)])).toEqual([
      ["APPLIED", false, id],
      ["APPLIED", false, id],
      ["APPLIED", true, id],
    ]);
  });
});

describe("matching by email", () => {
  it("updates the customer holding the email, adds the emails and phones it lacks without moving its primary, and says what it ignored", async () => {
    const ada = await gw.createCustomer({ emails: [{ address: "ada@match.example" }], firstName: "Ada" });
    const byEmail = await createInflowConnector(gw, { matchBy: "email" });
    const res = await postSigned(endpoint(byEmail), byEmail, {
      emails: [{ value: "ada.work@match.example", primary: true }, { value: "ADA@match.example" }],
      phone: "+44 20 7946 0000",
      lastName: "Lovelace",
      customObjects: [{ name: "order", data: { total: 12 } }],
    });
    expect(res).toMatchObject({
      status: 200,
      body: { outcome: "APPLIED", customerId: rowId(ada.id), created: false, changed: true, ignored: ["customObjects"] },
    });
    const contacts = async () => {
      const rows = await gw.db.contact.findMany({ where: { customerId: rowId(ada.id) }, orderBy: { createdAt: "asc" } });
      // The phone is sealed at rest (src/customers/phones-at-rest.ts): its row holds a blind index.
      const pii = await tenantPii(gw.db, gw.db, gw.tenants.A.id);
      return rows.map((c) => [contactText(pii, c), c.primary, isSealed(c.normalized)]);
    };
    expect(await contacts()).toEqual([
      ["ada@match.example", true, false],
      ["ada.work@match.example", false, false],
      ["+442079460000", true, true],
    ]);
    const events = (await eventsOf(rowId(ada.id))).slice(1);
    expect(events.map((e) => [e.type, e.actorKind, e.data])).toEqual([
      ["customer.updated", "CONNECTOR", { changes: { lastName: { from: null, to: "Lovelace" } } }],
      ["customer.email_added", "CONNECTOR", { email: "ada.work@match.example", primary: false, verified: false }],
      ["customer.phone_added", "CONNECTOR", { phone: "+442079460000", primary: true, verified: false }],
    ]);
    expect(await gw.db.customObject.count({ where: { customerId: rowId(ada.id) } })).toBe(0);
    // The same record again: the sealed phone is recognised as held, nothing is added.
    const again = await postSigned(endpoint(byEmail), byEmail, { email: "ada@match.example", phone: "+442079460000" });
    expect(again.body).toMatchObject({ outcome: "APPLIED", changed: false });
    expect(await contacts()).toHaveLength(3);
  });
});

describe("matching by uid", () => {
  it("updates the customer with the record's uid and creates one with everything the record carries when none has it", async () => {
    const byUid = await createInflowConnector(gw, { matchBy: "uid" });
    const known = await gw.createCustomer({ uid: "crm-7", emails: [{ address: "seven@uid.example" }] });
    const update = await postSigned(endpoint(byUid), byUid, { uid: "crm-7", nickname: "Seven" });
    expect(update.body).toMatchObject({ outcome: "APPLIED", customerId: rowId(known.id), created: false, changed: true });
    const create = await postSigned(endpoint(byUid), byUid, {
      uid: "crm-8",
      email: "eight@uid.example",
      customObjects: [{ name: "order", data: { total: 8 } }],
    });
    expect(create.body).toMatchObject({ outcome: "APPLIED", created: true });
    const eight = await gw.db.customer.findUniqueOrThrow({
      where: { id: create.body.customerId as string },
      include: { customObjects: true },
    });
    expect(eight.uid).toBe("crm-8");
    expect(eight.customObjects.map((o) => [o.name, o.data])).toEqual([["order", { total: 8 }]]);
  });
});

describe("refused records", () => {
  let connector: TestInflowConnector;
  beforeAll(async () => {
    connector = await createInflowConnector(gw, { matchBy: "email" });
    await gw.createCustomer({ emails: [{ address: "taken@refused.example" }] });
    await gw.createCustomer({ emails: [{ address: "holder@refused.example" }] });
  });

  /** Posts `body` and proves that it was refused with 422 and these field errors, and that nothing but the log row was written. */
  async function expectRefused(body: unknown, code: string, fields: { path: string; message: unknown }[], to = connector) {
    const { inflow_request: _before, ...before } = await snapshotDatabase(gw.db);
    const res = await postSigned(endpoint(to), to, body);
    expect(res).toMatchObject({ status: 422, body: { error: { code, fields } } });
    const { inflow_request: _after, ...after } = await snapshotDatabase(gw.db);
    expect(after).toEqual(before);
    const [logged] = (await gw.gql(InflowRequestsDocument, { connectorId: to.globalId, first: 1 })).data!.inflowRequests.edges;
    expect(logged!.node).toMatchObject({ outcome: "REJECTED", statusCode: 422, fieldErrors: fields, customerId: null });
  }

  it("refuses an invalid email with its path", async () => {
    await expectRefused({ email: "not-an-email" }, "VALIDATION_FAILED", [{ path: "email", message: "not a valid email address" }]);
    await expectRefused({ emails: [{ value: "ok@refused.example" }, { value: "nope" }] }, "VALIDATION_FAILED", [
      { path: "emails.1.value", message: "not a valid email address" },
    ]);
  });

  it("refuses custom fields the tenant does not define, and values of the wrong type", async () => {
    await expectRefused({ email: "new@refused.example", customFields: { loyalty: "gold" } }, "VALIDATION_FAILED", [
      { path: "customFields.loyalty", message: expect.any(String) },
    ]);
    await expectRefused({ email: "new@refused.example", customFields: { age: "forty" } }, "VALIDATION_FAILED", [
      { path: "customFields.age", message: expect.any(String) },
    ]);
  });

  it("refuses names the record format does not have, a record that is no object, and a new customer without a way to reach them", async () => {
    await expectRefused({ email: "new@refused.example", favourite: "tea" }, "VALIDATION_FAILED", [
      { path: "favourite", message: "not a field of the customer record" },
    ]);
    await expectRefused([{ email: "new@refused.example" }], "VALIDATION_FAILED", [{ path: "record", message: "not a JSON object" }]);
    await expectRefused({ firstName: "Nobody" }, "VALIDATION_FAILED", [
      { path: "email", message: expect.stringContaining("needs at least") },
    ]);
  });

  it("refuses an email of another customer: as a new customer's, and as one to add to the matched customer", async () => {
    const byUid = await createInflowConnector(gw, { matchBy: "uid" });
    await expectRefused(
      { uid: "new-one", email: "taken@refused.example" },
      "VALIDATION_FAILED",
      [{ path: "emails", message: expect.stringContaining("belongs to another customer") }],
      byUid,
    );
    await expectRefused({ emails: [{ value: "holder@refused.example" }, { value: "taken@refused.example" }] }, "EMAIL_TAKEN", [
      { path: "emails", message: "taken@refused.example belongs to another customer" },
    ]);
  });

  it("answers a mapping that fails with 422 and JSONata's message", async () => {
    const failing = await createInflowConnector(gw, { mapping: `type = "contact" ? { "email": email } : $error("cannot map a " & type)` });
    await expectRefused(
      { type: "invoice" },
      "VALIDATION_FAILED",
      [{ path: "mapping", message: expect.stringMatching(/^cannot map a invoice/) }],
      failing,
    );
    const broken = await createInflowConnector(gw, { mapping: `{ "email": ` });
    await expectRefused({ email: "x@refused.example" }, "VALIDATION_FAILED", [{ path: "mapping", message: expect.any(String) }], broken);
  });
});
