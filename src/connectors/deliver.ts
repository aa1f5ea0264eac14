import type { Db } from "../db/database.ts";
import type { EventBus } from "../events/bus.ts";
import type { ConnectorSettings } from "../config.ts";
import { markSkipped, releaseClaim, storePayload, type ClaimedDelivery } from "./claims.ts";
import { ExpressionError } from "./expressions.ts";
import { buildBody, loadDeliveryInput, MissingEventError } from "./payload.ts";
import { recordAttempt, type AttemptOutcome } from "./record.ts";
import { sendDelivery } from "./send.ts";
import { applyPostEvent } from "./writeback.ts";

export interface DeliverDeps {
  db: Db;
  events: EventBus;
  masterKey: Buffer;
  settings: ConnectorSettings;
}

/**
 * One attempt of a claimed delivery: build the body if this is its first attempt (rule false →
 * SKIPPED), send it, apply the post-event write-back on success, record the result. Answers the
 * delay until the next attempt when one was scheduled. When `signal` aborts (the node is
 * stopping) the claim is given back unrecorded. An expression error or a vanished event is a
 * failed attempt with that message; any other error propagates and leaves the claim to its lease.
 */
export async function deliver(deps: DeliverDeps, claim: ClaimedDelivery, signal: AbortSignal): Promise<number | null> {
  let body = claim.payloadText;
  if (body === null) {
    const startedAt = new Date();
    let built: Awaited<ReturnType<typeof buildBody>>;
    try {
      built = await buildBody(claim, await loadDeliveryInput(deps.db, claim));
    } catch (error) {
      if (!(error instanceof ExpressionError || error instanceof MissingEventError)) throw error;
      return record(deps, claim, failedBuild(startedAt, error.message));
    }
    if (built.skip) {
      await markSkipped(deps.db, claim);
      return null;
    }
    body = await storePayload(deps.db, claim, built.body);
    if (body === null) return null; // the lease ran out meanwhile: the delivery is another claim's now
  }
  const sent = await sendDelivery(claim, claim.id, body, {
    masterKey: deps.masterKey,
    allowPrivateTargets: deps.settings.allowPrivateTargets,
    signal,
  });
  if (signal.aborted) {
    await releaseClaim(deps.db, claim);
    return null;
  }
  let outcome: AttemptOutcome = sent;
  if (sent.ok && sent.response && claim.postEvent && !claim.test) {
    const problem = await applyPostEvent(deps, { id: claim.connectorId, postEvent: claim.postEvent }, claim, sent.response);
    if (problem) outcome = { ...sent, error: problem };
  }
  return record(deps, claim, outcome);
}

const record = (deps: DeliverDeps, claim: ClaimedDelivery, outcome: AttemptOutcome) =>
  recordAttempt(deps, claim, outcome, deps.settings.minRetryIntervalMs);

const failedBuild = (startedAt: Date, error: string): AttemptOutcome => ({
  ok: false,
  startedAt,
  durationMs: Date.now() - startedAt.getTime(),
  statusCode: null,
  error,
  responseExcerpt: null,
});
