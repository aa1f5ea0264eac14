import { createTransport } from "nodemailer";
import type { NotificationSettings } from "../config.ts";
import type { Db } from "../db/database.ts";
import type { EventBus } from "../events/bus.ts";
import type { Logger } from "../logger.ts";
import { serialized, timerSet } from "../background.ts";
import { claimNotifications, releaseNotification } from "./claims.ts";
import { deliverNotification, type DeliverDeps } from "./deliver.ts";

// The notification worker of one node. It claims when a notification is queued on this node or
// another (the `customer.notification_queued` event on the bus), when a retry it scheduled comes
// due, and every NOTIFICATION_WORKER_INTERVAL_MS (leases that ran out, retries of other nodes).
// One claim statement at a time, up to BATCH notifications sent side by side: notifications are
// rare next to connector deliveries, so this is kept simpler than src/connectors/worker.ts.

const BATCH = 8;

export interface NotificationWorkerDeps {
  db: Db;
  events: EventBus;
  settings: NotificationSettings;
  logger: Logger;
}

export interface NotificationWorker {
  wake(): void;
  /** Stops claiming and waits for the sends in flight (each records its result). */
  stop(): Promise<void>;
}

export function startNotificationWorker(deps: NotificationWorkerDeps): NotificationWorker {
  const { settings, logger } = deps;
  // The SMTP connection times out well inside the lease, so a hung server cannot outlive a claim.
  const timeout = Math.max(1000, Math.floor(settings.leaseMs / 3));
  const transport = settings.smtpUrl
    ? createTransport({ url: settings.smtpUrl, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout })
    : null;
  const deliverDeps: DeliverDeps = { ...deps, transport };
  const timers = timerSet();
  let stopped = false;

  const round = async () => {
    while (!stopped) {
      const claimed = await claimNotifications(deps.db, BATCH, settings.leaseMs);
      if (stopped) {
        await Promise.all(claimed.map((c) => releaseNotification(deps.db, c)));
        return;
      }
      const results = await Promise.all(
        claimed.map((c) =>
          deliverNotification(deliverDeps, c).catch((err) => {
            logger.error({ err, notificationId: c.id }, "notification attempt failed to record (retried when its lease ends)");
            return null;
          }),
        ),
      );
      for (const retryIn of results) if (retryIn !== null) timers.after(retryIn, wake);
      if (claimed.length < BATCH) return;
    }
  };
  const claiming = serialized(round, (err) => logger.error({ err }, "claiming notifications failed"));
  const wake = () => {
    if (!stopped) claiming.run();
  };

  const stopListening = deps.events.listenAll((event) => {
    if (event.type === "customer.notification_queued") wake();
  });
  const poll = setInterval(wake, settings.workerIntervalMs);
  poll.unref();
  wake();

  return {
    wake,
    async stop() {
      stopped = true;
      clearInterval(poll);
      stopListening();
      timers.clear();
      await claiming.idle();
      transport?.close();
    },
  };
}
