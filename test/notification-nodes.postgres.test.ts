import { afterAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../src/app.ts";
import { openDatabase } from "../src/db/database.ts";
import { transact } from "../src/db/transact.ts";
import { createLocalEventBus } from "../src/events/bus.ts";
import { createCustomer } from "../src/customers/service.ts";
import { createApplication } from "../src/notifications/applications.ts";
import { queueNotification } from "../src/notifications/queue.ts";
import { serviceContext } from "../src/service-context.ts";
import { createTenant } from "../src/tenants/service.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { testConfig } from "./helpers/gateway.ts";
import { startSmtp } from "./helpers/smtp.ts";

// Two gateway nodes on one PostgreSQL database, each with its own pool and notification worker,
// drain one backlog: every notification is sent once, by one claim, none twice.
// PGlite is one process's database: there is no second node to run there.

const COUNT = 60;

describe("notifications across two gateway nodes", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("send a backlog exactly once between them", async () => {
    const target = await createTestDatabase();
    cleanup.push(() => target.close());
    const db = target.database.prisma;
    const events = createLocalEventBus();
    const { tenant, credential } = await createTenant(db, events, { slug: "notify-nodes" });
    const ctx = serviceContext({ db, events }, tenant.id, { kind: "ADMIN", id: credential.id });
    const smtp = await startSmtp();
    cleanup.push(() => smtp.close());

    const app = await createApplication(ctx, { name: "nodes", branding: { displayName: "Nodes" } });
    for (let i = 0; i < COUNT; i++) {
      const customer = await createCustomer(ctx, { firstName: `N${i}`, emails: [{ value: `n${i}@nodes.test` }] });
      await transact(ctx, (tx, audit) =>
        queueNotification(tx, ctx, audit, { customerId: customer.id, applicationId: app.id, kind: "PASSWORD_CHANGED" }),
      );
    }

    const nodes: App[] = [];
    for (let i = 0; i < 2; i++) {
      const database = await openDatabase({ kind: "postgres", url: target.url! });
      const env = { SMTP_URL: smtp.url, NOTIFICATION_WORKER_INTERVAL_MS: "20", NOTIFICATION_RETRY_BASE_MS: "20" };
      const node = await createApp({ config: testConfig({ env }), database });
      nodes.push(node);
      cleanup.push(async () => {
        await node.stop();
        await database.close();
      });
    }

    await expect.poll(() => db.notification.count({ where: { status: "SENT" } }), { timeout: 60_000, interval: 100 }).toBe(COUNT);
    expect(smtp.messages).toHaveLength(COUNT);
    expect(new Set(smtp.envelopes.map((e) => e.join())).size).toBe(COUNT);
    expect(await db.notificationAttempt.count()).toBe(COUNT);
    expect(await db.notification.count({ where: { attempts: { not: 1 } } })).toBe(0);
  });
});
