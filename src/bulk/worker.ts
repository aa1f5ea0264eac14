import type { BulkSettings } from "../config.ts";
import type { Db } from "../db/database.ts";
import type { EventBus } from "../events/bus.ts";
import type { Logger } from "../logger.ts";
import { claimBulkJob, releaseLease } from "./jobs.ts";
import { runClaimedJob, type RunnerDeps } from "./runner.ts";

// The bulk-action worker of one node: runs one job at a time, claiming the next runnable one
// (queued, or left by a node whose lease ran out) when woken — by a `bulk_action.queued` event
// from any node, and every BULK_WORKER_INTERVAL_MS. Stopping lets the current batch commit, then
// gives the lease back so another node resumes the job at once.

export interface BulkWorkerDeps {
  db: Db;
  events: EventBus;
  settings: BulkSettings;
  logger: Logger;
  forget?: RunnerDeps["forget"];
}

export interface BulkWorker {
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Claims and runs runnable bulk jobs until there are none (or `signal` aborts). Returns how many
 * it ran. What the worker calls; tests call it directly.
 */
export async function drainBulkJobs(deps: RunnerDeps, signal?: AbortSignal): Promise<number> {
  let ran = 0;
  while (!signal?.aborted) {
    const claim = await claimBulkJob(deps.db, deps.leaseMs);
    if (!claim) break;
    ran++;
    const outcome = await runClaimedJob(deps, claim, { signal });
    if (outcome === "stopped") await releaseLease(deps.db, claim);
  }
  return ran;
}

export function startBulkWorker(deps: BulkWorkerDeps): BulkWorker {
  const stop = new AbortController();
  const { batchSize, leaseMs } = deps.settings;
  const runner: RunnerDeps = { db: deps.db, events: deps.events, batchSize, leaseMs, forget: deps.forget };
  let running: Promise<void> | null = null;
  let again = false;
  const wake = (): void => {
    if (stop.signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    running = drainBulkJobs(runner, stop.signal)
      .then(() => undefined)
      .catch((err) => deps.logger.error({ err }, "running bulk-action jobs failed (retried at the next wake)"))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          wake();
        }
      });
  };
  const stopListening = deps.events.listenAll((event) => {
    if (event.type === "bulk_action.queued") wake();
  });
  const poll = setInterval(wake, deps.settings.workerIntervalMs);
  poll.unref();
  wake();
  return {
    wake,
    async stop() {
      stop.abort();
      clearInterval(poll);
      stopListening();
      await running;
    },
  };
}
