import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createCredential } from "../src/admin-auth/service.ts";
import { runConnectorsCommand } from "../src/cli/connectors.ts";
import { createSession } from "../src/sessions/service.ts";
import {
  ConnectorDocument,
  CreateConnectorDocument,
  CreateCustomerDocument,
  DeactivateConnectorDocument,
  DeliveryDetailsDocument,
  ReplayDeliveryDocument,
  TestConnectorDocument,
  type ConnectorInput,
} from "./generated/graphql.ts";
import { globalId, rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// The outbox as admins see it: which audited commits queue a delivery (in their own transaction,
// by the connector's event_like patterns), the delivery log with its filters, replay and test.
// No worker runs here (interval 0): deliveries stay as this file queues or inserts them.

const gw = useTestGateway({ env: { CONNECTOR_WORKER_INTERVAL_MS: "0" } });

async function createConnector(input: Partial<ConnectorInput> & { name: string }, as: "A" | "B" = "A") {
  const full = { direction: "OUTFLOW" as const, url: "https://crm.example/hooks", events: ["customer.*"], ...input };
  const payload = (await gw.gql(CreateConnectorDocument, { input: full }, as)).data!.createConnector;
  if (payload.__typename !== "CreateConnectorPayload") throw new Error(JSON.stringify(payload));
  return { id: payload.issued.connector.id, row: rowId(payload.issued.connector.id) };
}

const deliveriesOf = (connectorRow: string) =>
  gw.db.connectorDelivery.findMany({ where: { connectorId: connectorRow }, orderBy: { eventSeq: "asc" } });

let inserted = 0;
/** A delivery as the worker leaves it, with its attempt log; each created a millisecond after the one before. */
async function insertDelivery(
  connectorRow: string,
  fields: { status: "FAILED" | "DELIVERED" | "PENDING" | "SENDING" | "SKIPPED"; customerId?: string; tenant?: "A" | "B" },
) {
  const tenantId = gw.tenants[fields.tenant ?? "A"].id;
  const delivery = await gw.db.connectorDelivery.create({
    data: {
      tenantId,
      connectorId: connectorRow,
      eventId: randomUUID(),
      eventSeq: 9_000n,
      eventType: "customer.updated",
      customerId: fields.customerId ?? null,
      status: fields.status,
      attempts: fields.status === "PENDING" ? 0 : 5,
      claimToken: fields.status === "PENDING" ? null : randomUUID(),
      payload: { event: { type: "customer.updated" }, customer: { uid: "carol" } },
      lastStatusCode: 500,
      lastError: "HTTP 500",
      deliveredAt: fields.status === "DELIVERED" ? new Date() : null,
      createdAt: new Date(Date.now() + ++inserted),
    },
  });
  await gw.db.deliveryAttempt.createMany({
    data: [1, 2].map((number) => ({
      deliveryId: delivery.id,
      tenantId,
      number,
      startedAt: new Date(Date.now() + number),
      durationMs: 12,
      statusCode: 500,
      error: "HTTP 500",
      responseExcerpt: "oops",
    })),
  });
  return delivery;
}

let everything: { id: string; row: string };
let customers: { id: string; row: string };
beforeAll(async () => {
  customers = await createConnector({ name: "customers" });
  everything = await createConnector({ name: "everything", events: ["*"] });
});

describe("the outbox: deliveries queued with the event, in its transaction", () => {
  it("queues exactly one delivery per matching connector for a customer mutation, naming the event", async () => {
    const customer = await gw.createCustomer({ uid: "ada", emails: [{ address: "ada@a.example" }] });
    const [event] = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === "customer.created");
    const queued = (await deliveriesOf(customers.row)).filter((d) => d.eventId === event.id);
    expect(queued).toMatchObject([
      {
        status: "PENDING",
        attempts: 0,
        eventType: "customer.created",
        eventSeq: event.seq,
        customerId: rowId(customer.id),
        test: false,
        payload: null,
      },
    ]);
    expect((await deliveriesOf(everything.row)).filter((d) => d.eventId === event.id)).toHaveLength(1);
  });

  it("queues nothing for a failed mutation", async () => {
    const res = await expectNoWrites(gw.db, () => gw.gql(CreateCustomerDocument, { input: { emails: [{ address: "ada@a.example" }] } }));
    expect(res.data!.createCustomer.__typename).toBe("ConflictError");
  });

  it("does not match session.* events to customer.*, and queues nothing for an inactive connector", async () => {
    const sessions = await createConnector({ name: "sessions", events: ["session.*"] });
    const inactive = await createConnector({ name: "inactive", events: ["customer.*"] });
    await gw.gql(DeactivateConnectorDocument, { id: inactive.id });
    const customer = await gw.createCustomer({ emails: [{ address: "grace@a.example" }] });
    await createSession(gw.serviceContext("A"), rowId(customer.id), { userAgent: "curl/8.4.0" });
    const types = async (row: string) => (await deliveriesOf(row)).map((d) => d.eventType);
    expect(await types(customers.row)).not.toContain("session.created");
    expect(await types(customers.row)).toContain("customer.created");
    expect(await types(sessions.row)).toEqual(["session.created"]);
    expect(await types(inactive.row)).toEqual([]);
  });

  it("queues nothing for another tenant's connectors", async () => {
    const ofB = await createConnector({ name: "b-everything", events: ["*"] }, "B");
    const before = await deliveriesOf(ofB.row); // B's own connector.created
    await gw.createCustomer({ emails: [{ address: "alan@a.example" }] });
    expect(await deliveriesOf(ofB.row)).toEqual(before);
  });
});

describe("the delivery log", () => {
  it("filters by status, event type (exact or wildcard), customer and creation time, page by page, newest first", async () => {
    const log = await createConnector({ name: "log" });
    const ada = (await gw.db.customer.findFirstOrThrow({ where: { uid: "ada" } })).id;
    const failed = await insertDelivery(log.row, { status: "FAILED", customerId: ada });
    const delivered = await insertDelivery(log.row, { status: "DELIVERED" });
    const page = async (vars: Record<string, unknown>) =>
      (await gw.gql(ConnectorDocument, { id: log.id, first: 10, ...vars })).data!.connector!.deliveries.edges.map((e) => rowId(e.node.id));
    expect(await page({})).toEqual([delivered.id, failed.id]);
    expect(await page({ status: "FAILED" })).toEqual([failed.id]);
    expect(await page({ eventType: "customer.*" })).toEqual([delivered.id, failed.id]);
    expect(await page({ eventType: "customer.created" })).toEqual([]);
    expect(await page({ customerId: globalId("Customer", ada) })).toEqual([failed.id]);
    expect(await page({ customerId: "not-an-id" })).toEqual([]);
    expect(await page({ createdAfter: delivered.createdAt.toISOString() })).toEqual([delivered.id]);
    expect(await page({ createdBefore: delivered.createdAt.toISOString() })).toEqual([failed.id]);
    const first = (await gw.gql(ConnectorDocument, { id: log.id, first: 1 })).data!.connector!.deliveries;
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(await page({ after: first.pageInfo.endCursor })).toEqual([failed.id]);
  });

  it("shows the payload and the customer only to credentials that also read customers", async () => {
    const ada = (await gw.db.customer.findFirstOrThrow({ where: { uid: "ada" } })).id;
    const delivery = await insertDelivery(customers.row, { status: "FAILED", customerId: ada });
    const id = globalId("ConnectorDelivery", delivery.id);
    const credential = async (scopes: ("CONNECTORS_READ" | "CUSTOMERS_READ")[]) => {
      const { credential, secret } = await createCredential(gw.serviceContext("A"), { name: scopes.join("+"), scopes });
      return { headers: { "x-api-key": credential.keyId, "x-api-secret": secret } };
    };
    const both = await gw.gql(DeliveryDetailsDocument, { id }, await credential(["CONNECTORS_READ", "CUSTOMERS_READ"]));
    expect(both.errors).toBeUndefined();
    expect(both.data!.node).toMatchObject({
      status: "FAILED",
      payload: { customer: { uid: "carol" } },
      customer: { uid: "ada" },
      attemptLog: [{ number: 1, statusCode: 500, responseExcerpt: "oops" }, { number: 2 }],
      connector: { name: "customers" },
    });
    const connectorsOnly = await gw.gql(DeliveryDetailsDocument, { id }, await credential(["CONNECTORS_READ"]));
    expect(connectorsOnly.data!.node).toMatchObject({
      status: "FAILED",
      payload: null,
      customer: null,
      attemptLog: [{ number: 1 }, { number: 2 }],
    });
    expect(connectorsOnly.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN", "FORBIDDEN"]);
  });
});

describe("replayDelivery", () => {
  it("queues a FAILED delivery again with the same id and payload, and records connector.delivery_replayed", async () => {
    const delivery = await insertDelivery(customers.row, { status: "FAILED" });
    const res = (await gw.gql(ReplayDeliveryDocument, { id: globalId("ConnectorDelivery", delivery.id) })).data!.replayDelivery;
    expect(res).toMatchObject({ __typename: "ReplayDeliveryPayload", delivery: { status: "PENDING", attempts: 0, deliveredAt: null } });
    const row = await gw.db.connectorDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(row).toMatchObject({ status: "PENDING", attempts: 0, claimToken: null, payload: delivery.payload, eventId: delivery.eventId });
    expect(row.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await gw.db.deliveryAttempt.count({ where: { deliveryId: delivery.id } })).toBe(2);
    const [event] = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === "connector.delivery_replayed");
    expect(event.data).toEqual({
      connectorId: customers.row,
      deliveryId: delivery.id,
      eventType: "customer.updated",
      previousStatus: "FAILED",
    });
  });

  it("queues a DELIVERED delivery again", async () => {
    const delivery = await insertDelivery(customers.row, { status: "DELIVERED" });
    const res = (await gw.gql(ReplayDeliveryDocument, { id: globalId("ConnectorDelivery", delivery.id) })).data!.replayDelivery;
    expect(res).toMatchObject({ delivery: { status: "PENDING", attempts: 0 } });
  });

  it.each(["PENDING", "SENDING", "SKIPPED"] as const)("refuses a %s delivery with INVALID_STATE, writing nothing", async (status) => {
    const delivery = await insertDelivery(customers.row, { status });
    const res = await expectNoWrites(gw.db, () => gw.gql(ReplayDeliveryDocument, { id: globalId("ConnectorDelivery", delivery.id) }));
    expect(res.data!.replayDelivery).toMatchObject({ __typename: "RuleViolationError", code: "INVALID_STATE" });
  });

  it("answers DELIVERY_NOT_FOUND for another tenant's delivery and a malformed id", async () => {
    const delivery = await insertDelivery(customers.row, { status: "FAILED" });
    for (const id of [globalId("ConnectorDelivery", delivery.id), "nope", globalId("Connector", customers.row)]) {
      const res = await expectNoWrites(gw.db, () => gw.gql(ReplayDeliveryDocument, { id }, "B"));
      expect(res.data!.replayDelivery).toMatchObject({ code: "DELIVERY_NOT_FOUND" });
    }
  });
});

describe("testConnector", () => {
  it("queues a sample delivery with connector.tested in one transaction and answers it PENDING when no worker takes it", async () => {
    const quiet = await createConnector({ name: "tested", timeoutMs: 100 });
    await gw.gql(DeactivateConnectorDocument, { id: quiet.id });
    const started = Date.now();
    const res = (await gw.gql(TestConnectorDocument, { id: quiet.id })).data!.testConnector;
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(res).toMatchObject({
      __typename: "TestConnectorPayload",
      delivery: { status: "PENDING", test: true, eventType: "connector.test", eventSeq: 0, eventId: null, customerId: null, attempts: 0 },
    });
    if (res.__typename !== "TestConnectorPayload") return;
    const row = await gw.db.connectorDelivery.findUniqueOrThrow({ where: { id: rowId(res.delivery.id) } });
    expect(row).toMatchObject({ connectorId: quiet.row, payload: null, test: true });
    const [event] = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === "connector.tested");
    expect(event.data).toEqual({ connectorId: quiet.row, name: "tested", deliveryId: row.id });
    // The `*` connector hears of the test as of any audit event; the sample itself goes to the tested connector only.
    expect((await deliveriesOf(everything.row)).filter((d) => d.eventId === event.id)).toHaveLength(1);
  });

  it("refuses an INFLOW connector and another tenant's connector, writing nothing", async () => {
    const payload = (await gw.gql(CreateConnectorDocument, { input: { direction: "INFLOW", name: "inflow", mapping: "$" } })).data!
      .createConnector;
    if (payload.__typename !== "CreateConnectorPayload") throw new Error(JSON.stringify(payload));
    const inflow = await expectNoWrites(gw.db, () => gw.gql(TestConnectorDocument, { id: payload.issued.connector.id }));
    expect(inflow.data!.testConnector).toMatchObject({ code: "INVALID_STATE" });
    const foreign = await expectNoWrites(gw.db, () => gw.gql(TestConnectorDocument, { id: customers.id }, "B"));
    expect(foreign.data!.testConnector).toMatchObject({ code: "CONNECTOR_NOT_FOUND" });
  });
});

describe("npm run cli -- connectors", () => {
  async function cli(command: string, args: string[], options: Record<string, string> = {}) {
    const lines: string[] = [];
    const ctx = {
      database: gw.app.database,
      events: gw.app.events,
      args,
      options: { tenant: gw.tenants.A.slug, ...options },
      print: (l: string) => lines.push(l),
    };
    return { code: await runConnectorsCommand(command, ctx), lines };
  }

  it("lists connectors and a connector's deliveries, and replays a failed delivery", async () => {
    const listed = await cli("list", []);
    expect(listed.lines.find((l) => l.includes('"customers"'))).toMatch(
      new RegExp(`^${customers.row}  OUTFLOW  active  "customers"  https://crm.example/hooks on customer\\.\\*  0 failures in a row$`),
    );
    const failed = await insertDelivery(customers.row, { status: "FAILED" });
    const deliveries = await cli("deliveries", [customers.id], { status: "failed" });
    expect(
      deliveries.lines.some((l) => l.startsWith(`${failed.id}  `) && l.includes("FAILED  customer.updated  5 attempts  last: 500")),
    ).toBe(true);
    expect(deliveries.lines.every((l) => l.includes("FAILED"))).toBe(true);
    const replayed = await cli("replay", [failed.id]);
    expect(replayed).toEqual({ code: 0, lines: [`Delivery ${failed.id} is PENDING again (same body, same webhook-id).`] });
    await expect(cli("deliveries", [customers.row], { status: "lost" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(cli("deliveries", [customers.row], { tenant: gw.tenants.B.slug })).rejects.toMatchObject({ code: "CONNECTOR_NOT_FOUND" });
  });
});
