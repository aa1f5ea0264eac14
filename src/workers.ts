import { startCheckpointSigner } from "./audit/checkpoints.ts";
import { startBulkWorker } from "./bulk/worker.ts";
import type { Config } from "./config.ts";
import { startDeliveryWorker } from "./connectors/worker.ts";
import type { Database } from "./db/database.ts";
import type { EventBus } from "./events/bus.ts";
import { startExportScheduler } from "./exports/runner.ts";
import type { Logger } from "./logger.ts";
import { startNotificationWorker } from "./notifications/worker.ts";
import type { AuthRuntime } from "./security/auth-runtime.ts";
import { customerAccount } from "./security/throttle.ts";

interface WorkerParts {
  database: Database;
  events: EventBus;
  logger: Logger;
  auth: AuthRuntime;
}

/**
 * This node's background work: scheduled exports, connector deliveries, bulk-action jobs, customer
 * notifications and audit checkpoints. Any node may run each (they claim work in the database);
 * an interval of 0 keeps a worker off on this node. `stop()` waits for the work in hand.
 */
export function startBackgroundWorkers(config: Config, parts: WorkerParts): { stop(): Promise<void> } {
  const { database, events, logger, auth } = parts;
  const db = database.prisma;
  const exportFiles = { db, events, sql: database.sql, dir: config.exportDir, pageSize: config.exportPageSize };
  const exportScheduler = startExportScheduler(exportFiles, config.exportSchedulerIntervalMs, (err) =>
    logger.error({ err }, "scheduled exports failed"),
  );
  const deliveryWorker = startConnectorWorker(config, parts);
  const forget = (ids: string[]) => Promise.all(ids.map((id) => auth.throttle.forget(customerAccount(id))));
  const bulkWorker = config.bulk.workerIntervalMs > 0 ? startBulkWorker({ db, events, settings: config.bulk, logger, forget }) : null;
  const notificationWorker =
    config.notifications.workerIntervalMs === 0 ? null : startNotificationWorker({ db, events, settings: config.notifications, logger });
  const checkpointSigner = startAuditCheckpoints(config, parts);
  return {
    async stop() {
      await exportScheduler.stop();
      await deliveryWorker?.stop();
      await bulkWorker?.stop();
      await notificationWorker?.stop();
      await checkpointSigner?.stop();
    },
  };
}

/** Connector deliveries, unless CONNECTOR_WORKER_INTERVAL_MS is 0 or there is no master key to open secrets with. */
function startConnectorWorker(config: Config, { database, events, logger, auth }: WorkerParts) {
  const masterKey = auth.keys.masterKey;
  if (config.connectors.workerIntervalMs === 0) return null;
  if (!masterKey) {
    logger.warn("connector deliveries are not sent by this node: MASTER_KEY is not set (connector secrets cannot be opened)");
    return null;
  }
  return startDeliveryWorker({ db: database.prisma, events, masterKey, settings: config.connectors, logger });
}

/** Audit checkpoints, unless AUDIT_CHECKPOINT_INTERVAL_MS is 0 or there is no master key to sign with. */
function startAuditCheckpoints(config: Config, { database, logger, auth }: WorkerParts) {
  if (config.auditCheckpointIntervalMs === 0) return null;
  if (!auth.keys.masterKey) {
    logger.warn("audit checkpoints are not signed by this node: MASTER_KEY is not set (the signing key cannot be opened)");
    return null;
  }
  return startCheckpointSigner({
    db: database.prisma,
    signer: () => auth.keys.signer(),
    intervalMs: config.auditCheckpointIntervalMs,
    logger,
  });
}
