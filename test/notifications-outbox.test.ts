import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { claimNotifications } from "../src/notifications/claims.ts";
import { deliverNotification } from "../src/notifications/deliver.ts";
import { createTransport } from "nodemailer";
import { UpdateCustomerNotifyDocument } from "./generated/graphql.ts";
import { insertConnector } from "./helpers/connector-rows.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";
import { rowId } from "./helpers/ids.ts";
import { createApp, notificationsSettled } from "./helpers/notifications.ts";
import { startSmtp, type TestSmtp } from "./helpers/smtp.ts";
import { auditTrail } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// The outbox's other halves: the connector channel when no SMTP server is configured, and the
// lease-based claim that keeps two nodes from sending one message and loses nothing to a kill -9.

let counter = 0;
const notify = async (gw: TestGateway, applicationId: string) => {
  const c = await gw.createCustomer({ firstName: "Nia", emails: [{ address: `outbox${++counter}@mail.test` }] });
  const res = await gw.gql(UpdateCustomerNotifyDocument, {
    id: c.id,
    input: { lastName: "Changed" },
    notify: { application: applicationId },
  });
  expect(res.data!.updateCustomer.__typename).toBe("UpdateCustomerPayload");
  return c;
};

describe("without SMTP_URL, notifications go to the tenant's connectors", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await createTestGateway({ env: { NOTIFICATION_WORKER_INTERVAL_MS: "50" } });
  });
  afterAll(() => gw?.close());

  it("fails the attempt (and retries) while no connector listens, then hands the message over as customer.notification_requested", async () => {
    const app = await createApp(gw, { name: "Connector app", branding: { displayName: "Via connectors", senderAddress: "c@acme.test" } });
    const c = await notify(gw, app.id);
    const id = rowId(c.id);
    let row = await gw.db.notification.findFirstOrThrow({ where: { customerId: id } });
    for (let i = 0; i < 400 && row.attempts === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      row = await gw.db.notification.findFirstOrThrow({ where: { customerId: id } });
    }
    expect(row).toMatchObject({ status: "PENDING", attempts: 1 });
    expect(row.lastError).toBe("SMTP_URL is not set and no active connector listens to customer.notification_requested");

    const connector = await insertConnector(gw.db, gw.app.auth.keys.masterKey!, gw.tenants.A.id, {
      url: "https://hooks.acme.test/mail",
      events: ["customer.notification_requested"],
    });
    await gw.db.notification.update({ where: { id: row.id }, data: { nextAttemptAt: new Date() } });
    const [sent] = await notificationsSettled(gw, c.id, 1);
    expect(sent).toMatchObject({ status: "SENT", channel: "CONNECTORS", attempts: 2 });
    expect(sent.attemptLog.map((a) => a.ok)).toEqual([false, true]);

    const [requested] = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === "customer.notification_requested");
    expect(requested).toMatchObject({ customerId: id, actorKind: "SYSTEM" });
    expect(requested.data).toMatchObject({
      notificationId: row.id,
      kind: "PROFILE_UPDATED",
      to: row.recipient,
      from: { name: "Via connectors", address: "c@acme.test" },
      subject: "Your Via connectors profile was updated",
    });
    expect((requested.data as { html: string }).html).toContain("Hello Nia,");
    const deliveries = await gw.db.connectorDelivery.findMany({ where: { connectorId: connector.id } });
    expect(deliveries.map((d) => [d.eventType, d.eventId])).toEqual([["customer.notification_requested", requested.id]]);
  });
});

describe("claims", () => {
  const gw = useTestGateway();
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(() => smtp?.close());

  const deps = () => {
    const settings = { ...loadConfig({}).notifications, smtpUrl: smtp.url, maxAttempts: 3, retryBaseMs: 10 };
    return { db: gw.db, events: gw.app.events, settings, transport: createTransport({ url: smtp.url }) };
  };

  it("hand each due notification to one claimer only, and a claim whose lease ran out (a node killed mid-send) to the next", async () => {
    const app = await createApp(gw, { name: "Claims", branding: { displayName: "Claims" } });
    for (let i = 0; i < 5; i++) await notify(gw, app.id);
    const [first, second] = await Promise.all([claimNotifications(gw.db, 3, 60_000), claimNotifications(gw.db, 3, 60_000)]);
    const ids = [...first, ...second].map((c) => c.id);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    expect(await claimNotifications(gw.db, 10, 60_000)).toEqual([]);

    // The claimer of `first[0]` dies: nothing happens until its lease runs out, then another node claims it afresh.
    const dead = first[0];
    await gw.db.notification.update({ where: { id: dead.id }, data: { nextAttemptAt: new Date(Date.now() - 1) } });
    const [again] = await claimNotifications(gw.db, 10, 60_000);
    expect(again.id).toBe(dead.id);
    expect(again.claimToken).not.toBe(dead.claimToken);

    // A late result of the dead claim is not recorded; the live one's is.
    const before = smtp.messages.length;
    expect(await deliverNotification(deps(), dead)).toBeNull();
    expect(await gw.db.notificationAttempt.count({ where: { notificationId: dead.id } })).toBe(0);
    expect(await deliverNotification(deps(), again)).toBeNull();
    const row = await gw.db.notification.findUniqueOrThrow({ where: { id: dead.id } });
    expect(row).toMatchObject({ status: "SENT", attempts: 1, claimToken: null, textBody: null });
    expect(await gw.db.notificationAttempt.count({ where: { notificationId: dead.id } })).toBe(1);
    expect(smtp.messages.length - before).toBe(2);
  });
});
