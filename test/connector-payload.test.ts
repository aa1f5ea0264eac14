import { randomUUID } from "node:crypto";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createCustomer, updateCustomer } from "../src/customers/service.ts";
import { ALL_FIELDS } from "../src/exports/fields.ts";
import { unsealAuditData } from "../src/pii/audit-seal.ts";
import { insertConnector, rotateSecretRow, type ConnectorRow } from "./helpers/connector-rows.ts";
import { attemptsOf, deliveriesOf, emit, settled, WORKER_ENV } from "./helpers/deliveries.ts";
import { startReceiver, type Received, type Receiver, type Reply } from "./helpers/receiver.ts";
import { useTestGateway } from "./helpers/suite.ts";

// What deliveries carry: the normalized input (event, customer snapshot, tenant), shaped by the
// connector's preEvent, rule and mapping; the post-event write-back; per-customer order; the
// signatures during a secret rotation; testConnector's sample.

const gw = useTestGateway({ env: WORKER_ENV });
const receivers: Receiver[] = [];
afterAll(() => Promise.all(receivers.map((r) => r.close())));
afterEach(() => gw.db.connector.updateMany({ data: { active: false } }));

async function connectorTo(row: Partial<ConnectorRow>, respond: (request: Received, index: number) => Reply = () => ({})) {
  const receiver = await startReceiver(respond);
  receivers.push(receiver);
  const connector = await insertConnector(gw.db, gw.app.auth.keys.masterKey!, gw.tenants.A.id, { url: receiver.url, ...row });
  receiver.secrets = [connector.secret];
  return { receiver, connector };
}

const customer = (uid: string, plan: string) =>
  createCustomer(gw.serviceContext(), { uid, emails: [{ value: `${uid}@payload.example` }], customFields: { plan } });

describe("delivery bodies", () => {
  it("sends only what the rule lets through (the rest is SKIPPED, with no attempt), with the customer's export record", async () => {
    const { receiver, connector } = await connectorTo({ events: ["customer.created"], rule: 'customer.customFields.plan = "gold"' });
    const gold = await customer("rule-gold", "gold");
    const silver = await customer("rule-silver", "silver");
    const deliveries = await settled(gw.db, connector.id, 2);
    expect(deliveries.map((d) => [d.customerId, d.status, d.attempts])).toEqual([
      [gold.id, "DELIVERED", 1],
      [silver.id, "SKIPPED", 0],
    ]);
    expect(await attemptsOf(gw.db, deliveries[1]!.id)).toEqual([]);
    expect(receiver.received).toHaveLength(1);
    const snapshot = receiver.received[0]!.body.customer as Record<string, unknown>;
    expect(Object.keys(snapshot).sort()).toEqual(["id", ...ALL_FIELDS].sort());
    expect(snapshot).toMatchObject({ id: gold.id, uid: "rule-gold", email: "rule-gold@payload.example", customFields: { plan: "gold" } });
  });

  it("shapes the body with preEvent and mapping, built once and stored on the delivery", async () => {
    const { receiver, connector } = await connectorTo({
      events: ["customer.updated"],
      preEvent: '$merge([$, {"tier": $uppercase(customer.customFields.plan)}])',
      mapping: '{"kind": event.type, "email": customer.email, "tier": tier, "firstName": event.data.changes.firstName.to}',
    });
    const ada = await customer("mapped", "gold");
    await updateCustomer(gw.serviceContext(), ada.id, { firstName: "Grace" });
    const [delivery] = await settled(gw.db, connector.id);
    const body = { kind: "customer.updated", email: "mapped@payload.example", tier: "GOLD", firstName: "Grace" };
    expect(receiver.received.map((r) => r.body)).toEqual([body]);
    expect(delivery).toMatchObject({ status: "DELIVERED", payload: body });
  });

  it("fails the attempt with JSONata's message when an expression fails, sending nothing", async () => {
    const { receiver, connector } = await connectorTo({ events: ["test.bad-mapping"], mapping: '$error("no such plan")', maxAttempts: 1 });
    await emit(gw.serviceContext(), "test.bad-mapping");
    const [delivery] = await settled(gw.db, connector.id);
    expect(delivery).toMatchObject({ status: "FAILED", lastError: "mapping: no such plan (at character 7)" });
    expect((await attemptsOf(gw.db, delivery!.id)).map((a) => a.error)).toEqual(["mapping: no such plan (at character 7)"]);
    expect(receiver.received).toEqual([]);
  });

  it("sends testConnector's sample to an inactive connector, once, whatever it answers", async () => {
    const { receiver, connector } = await connectorTo({ active: false, maxAttempts: 5 }, () => ({ status: 500 }));
    const delivery = await gw.db.connectorDelivery.create({
      data: { tenantId: gw.tenants.A.id, connectorId: connector.id, eventSeq: 0, eventType: "customer.updated", test: true },
    });
    await emit(gw.serviceContext(), "test.wake"); // wakes the worker (its poll would find it too)
    await settled(gw.db, connector.id);
    expect(await gw.db.connectorDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({
      status: "FAILED",
      attempts: 1,
    });
    expect(receiver.received[0]!.body).toMatchObject({ event: { type: "customer.updated" }, customer: { uid: "sample-customer" } });
    expect(await gw.db.connector.findUniqueOrThrow({ where: { id: connector.id } })).toMatchObject({ consecutiveFailures: 0 });
  });
});

describe("post-event write-back", () => {
  it("stores the receiver's id on the customer as an audited update by the connector, not sent back to it", async () => {
    const crm = await connectorTo({ events: ["customer.*"], postEvent: '{"customFields": {"crmId": response.body.id}}' }, (request) => ({
      body: { id: `crm-${(request.body.customer as { uid: string }).uid}` },
    }));
    const observer = await connectorTo({ events: ["customer.updated"] });
    const ada = await customer("synced", "gold");
    await settled(gw.db, crm.connector.id);
    await expect
      .poll(() => gw.db.customer.findUniqueOrThrow({ where: { id: ada.id } }).then((c) => c.customFields))
      .toEqual({
        plan: "gold",
        crmId: "crm-synced",
      });
    const [update] = await unsealAuditData(gw.db, [
      await gw.db.auditEvent.findFirstOrThrow({ where: { type: "customer.updated", customerId: ada.id } }),
    ]);
    expect(update).toMatchObject({
      actorKind: "CONNECTOR",
      actorId: crm.connector.id,
      data: { changes: { customFields: { from: { plan: "gold" }, to: { plan: "gold", crmId: "crm-synced" } } } },
    });
    const [observed] = await settled(gw.db, observer.connector.id);
    expect(observed).toMatchObject({ eventId: update.id, status: "DELIVERED" });
    expect((await deliveriesOf(gw.db, crm.connector.id)).map((d) => d.eventType)).toEqual(["customer.created"]);
  });

  it("records a result it cannot apply as the attempt's error, and the delivery stays DELIVERED", async () => {
    const { connector } = await connectorTo({
      events: ["customer.created"],
      postEvent: '$contains(customer.uid, "unknown") ? {"passwordHash": "x"} : {"birthdate": "yesterday"}',
    });
    await customer("writeback-unknown", "gold");
    await customer("writeback-invalid", "gold");
    const deliveries = await settled(gw.db, connector.id, 2);
    const errors = await Promise.all(deliveries.map(async (d) => [d.status, (await attemptsOf(gw.db, d.id))[0]!.error]));
    expect(errors).toEqual([
      ["DELIVERED", "post-event: not customer fields it may change: passwordHash"],
      ["DELIVERED", expect.stringMatching(/^post-event: VALIDATION_FAILED: birthdate: /)],
    ]);
  });
});

describe("ordering and signatures", () => {
  it("holds a customer's next event while its earlier one is retrying; other customers' go out", async () => {
    const failuresOfA1 = { left: 2 };
    const { receiver, connector } = await connectorTo({ events: ["test.order"], retryIntervalMs: 1000 }, (request) => {
      const label = (request.body.event as { data: { label: string } }).data.label;
      return { status: label === "A1" && failuresOfA1.left-- > 0 ? 503 : 200 };
    });
    const [a, b] = [randomUUID(), randomUUID()];
    for (const [who, label] of [
      [a, "A1"],
      [a, "A2"],
      [b, "B1"],
      [b, "B2"],
    ] as const) {
      await emit(gw.serviceContext(), "test.order", who, { label });
    }
    await settled(gw.db, connector.id, 4);
    const at = (label: string) => receiver.received.filter((r) => (r.body.event as { data: { label: string } }).data.label === label);
    expect(at("A1")).toHaveLength(3);
    const a1Delivered = at("A1")[2]!.at;
    expect(at("A2")[0]!.at).toBeGreaterThanOrEqual(a1Delivered);
    expect(at("B1")[0]!.at).toBeLessThan(a1Delivered);
    expect(at("B2")[0]!.at).toBeLessThan(a1Delivered);
    expect(at("B2")[0]!.at).toBeGreaterThanOrEqual(at("B1")[0]!.at);
  });

  it("signs with both secrets during a rotation's overlap: either one verifies", async () => {
    const { receiver, connector } = await connectorTo({ events: ["test.rotation"] });
    const current = await rotateSecretRow(gw.db, gw.app.auth.keys.masterKey!, connector);
    receiver.secrets = [connector.secret, current];
    await emit(gw.serviceContext(), "test.rotation");
    await settled(gw.db, connector.id);
    const [request] = receiver.received;
    expect(String(request!.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(request!.verifiedWith).toEqual([connector.secret, current]);
  });
});
