import type { ConnectorSettings } from "../config.ts";
import type { Db } from "../db/database.ts";
import type { EventBus } from "../events/bus.ts";
import type { Logger } from "../logger.ts";
import { serialized, timerSet } from "../background.ts";
import { claimDeliveries, type ClaimedDelivery } from "./claims.ts";
import { deliverPrepared, prepareDeliveries, type Prepared } from "./deliver.ts";
import { successRecorder } from "./record.ts";

// The delivery worker of one node: keeps up to CONNECTOR_WORKER_CONCURRENCY deliveries in flight.
// It claims when woken — by any tenant's audit event on the bus (a committed change may have queued
// deliveries), when a send finishes (the same customer's next event may be due), when a retry it
// scheduled comes due, and every CONNECTOR_WORKER_INTERVAL_MS (deliveries queued by nodes whose
// events this node does not hear, leases that ran out). Wakes coalesce: at most one claim
// statement runs at a time, plus one queued behind it; events within EVENT_COALESCE_MS share one.
// The statements per delivery are what the outbox costs the writes beside it, so they are shared:
// a claim's first attempts are made ready together (one input read, one body store) and successes
// finishing together are recorded by one statement (successRecorder): about 1–2 statements per
// delivery in a burst, against 8 one at a time.

/** How long a burst of audit events is gathered into one claim (ms): latency vs statements. */
const EVENT_COALESCE_MS = 5;

export interface DeliveryWorkerDeps {
  db: Db;
  events: EventBus;
  masterKey: Buffer;
  settings: ConnectorSettings;
  logger: Logger;
}

export interface DeliveryWorker {
  /** Looks for due deliveries now. */
  wake(): void;
  /**
   * Stops claiming, aborts the sends in flight and gives their claims back (due again at once, for
   * another node or the next start; no attempt is counted). Resolves when nothing is in flight.
   */
  stop(): Promise<void>;
}

export function startDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const { settings, logger } = deps;
  const inFlight = new Map<string, { abort: AbortController; done: Promise<void> }>();
  const timers = timerSet();
  let stopped = false;

  const deliverDeps = { ...deps, recordSuccess: successRecorder(deps.db) };

  const send = (claim: ClaimedDelivery, batch: Promise<Map<string, Prepared>>) => {
    const abort = new AbortController();
    const done = deliverPrepared(deliverDeps, claim, batch, abort.signal)
      .then((retryInMs) => {
        if (retryInMs !== null) timers.after(retryInMs, wake);
      })
      .catch((err) => logger.error({ err, deliveryId: claim.id }, "connector delivery failed to run (retried when its lease ends)"))
      .finally(() => {
        inFlight.delete(claim.id);
        wake();
      });
    inFlight.set(claim.id, { abort, done });
  };

  const claiming = serialized(
    async () => {
      while (!stopped) {
        const room = settings.concurrency - inFlight.size;
        if (room <= 0) return;
        const claimed = await claimDeliveries(deps.db, room, settings.leaseMarginMs);
        const batch = prepareDeliveries(deliverDeps, claimed);
        for (const claim of claimed) send(claim, batch);
        if (claimed.length < room) return;
      }
    },
    (err) => logger.error({ err }, "claiming connector deliveries failed"),
  );
  const wake = () => {
    if (!stopped) claiming.run();
  };

  let eventWakePending = false;
  const stopListening = deps.events.listenAll(() => {
    if (eventWakePending) return;
    eventWakePending = true;
    timers.after(EVENT_COALESCE_MS, () => {
      eventWakePending = false;
      wake();
    });
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
      for (const { abort } of inFlight.values()) abort.abort();
      await Promise.all([...inFlight.values()].map(({ done }) => done));
    },
  };
}
