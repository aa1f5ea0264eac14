import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, describe, expect, it } from "vitest";
import { createCustomer } from "../src/customers/service.ts";
import { transact } from "../src/db/transact.ts";
import { createLocalEventBus } from "../src/events/bus.ts";
import { createApplication } from "../src/notifications/applications.ts";
import { queueNotification } from "../src/notifications/queue.ts";
import { serviceContext } from "../src/service-context.ts";
import { createTenant } from "../src/tenants/service.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { startGatewayProcess } from "./helpers/process.ts";
import { startSmtp } from "./helpers/smtp.ts";

// A real gateway process (src/main.ts) sending notifications to a slow SMTP server is killed with
// SIGKILL while it holds claims; a new process on the same database sends every one of them once
// the dead process's leases have run out. Duplicates may only be re-sends of what it held.

const COUNT = 12;

function startGateway(databaseUrl: string, smtpUrl: string): { child: ChildProcess; url: Promise<string> } {
  return startGatewayProcess(databaseUrl, {
    SMTP_URL: smtpUrl,
    NOTIFICATION_WORKER_INTERVAL_MS: "100",
    NOTIFICATION_LEASE_MS: "3000",
    CONNECTOR_WORKER_INTERVAL_MS: "0",
  });
}

describe("a gateway process killed with SIGKILL while sending notifications", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("loses none: a restarted process sends every queued notification", async () => {
    const target = await createTestDatabase();
    cleanup.push(() => target.close());
    const db = target.database.prisma;
    const events = createLocalEventBus();
    const { tenant, credential } = await createTenant(db, events, { slug: "notify-crash" });
    const ctx = serviceContext({ db, events }, tenant.id, { kind: "ADMIN", id: credential.id });
    const smtp = await startSmtp({ delayMs: 400 });
    cleanup.push(() => smtp.close());
    const app = await createApplication(ctx, { name: "crash", branding: { displayName: "Crash" } });
    for (let i = 0; i < COUNT; i++) {
      const customer = await createCustomer(ctx, { emails: [{ value: `crash${i}@nodes.test` }] });
      await transact(ctx, (tx, audit) =>
        queueNotification(tx, ctx, audit, { customerId: customer.id, applicationId: app.id, kind: "PASSWORD_CHANGED" }),
      );
    }

    const first = startGateway(target.url!, smtp.url);
    await first.url;
    await expect.poll(() => db.notification.count({ where: { status: "SENDING" } }), { timeout: 30_000, interval: 10 }).toBeGreaterThan(0);
    first.child.kill("SIGKILL");
    await once(first.child, "exit");
    const held = await db.notification.count({ where: { status: "SENDING" } });
    const sentBefore = await db.notification.count({ where: { status: "SENT" } });

    const second = startGateway(target.url!, smtp.url);
    cleanup.push(async () => {
      second.child.kill("SIGTERM");
      await once(second.child, "exit");
    });
    await second.url;
    await expect.poll(() => db.notification.count({ where: { status: "SENT" } }), { timeout: 60_000, interval: 100 }).toBe(COUNT);
    const recipients = new Set(smtp.envelopes.map((e) => e.join()));
    expect(recipients.size).toBe(COUNT);
    const duplicates = smtp.messages.length - COUNT;
    console.log(`kill -9: ${held} claims held by the dead process, ${sentBefore} sent before, ${duplicates} duplicate messages`);
    expect(held).toBeGreaterThan(0);
    expect(duplicates).toBeLessThanOrEqual(held);
  });
});
