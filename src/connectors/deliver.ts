import type { Db } from "../db/database.ts";
import type { EventBus } from "../events/bus.ts";
import type { ConnectorSettings } from "../config.ts";
import { releaseClaim, storeBodies, type BuiltBody, type ClaimedDelivery } from "./claims.ts";
import { ExpressionError } from "./expressions.ts";
import { buildBody, inputOfClaim, MissingEventError, unsealInput } from "./payload.ts";
import { recordFailure, type AttemptOutcome, type Success } from "./record.ts";
import { sendDelivery } from "./send.ts";
import { applyPostEvent } from "./writeback.ts";

export interface DeliverDeps {
  db: Db;
  events: EventBus;
  masterKey: Buffer;
  settings: ConnectorSettings;
  /** Records a successful attempt (the worker's successRecorder: gathered with others). */
  recordSuccess: (success: Success) => Promise<void>;
}

/** A claimed delivery made ready: the body to send, or nothing to send (`retryInMs` when a failed build scheduled a retry). */
export type Prepared = { body: string } | { body: null; retryInMs: number | null };

/**
 * Makes the deliveries of one claim ready to send: a body already stored (claimed again, or stored
 * by the claim itself for a connector without logic) is sent as it is; the others get theirs built
 * from the input the claim read (rule false → SKIPPED) and stored. An expression error or a
 * vanished event is recorded as a failed attempt with that message. Cost: one statement storing
 * the built bodies of the whole claim, none when nothing was built.
 */
export async function prepareDeliveries(deps: DeliverDeps, claims: ClaimedDelivery[]): Promise<Map<string, Prepared>> {
  const prepared = new Map<string, Prepared>();
  const startedAt = new Date();
  const built: BuiltBody[] = [];
  for (const claim of claims) {
    if (claim.payloadText !== null) {
      prepared.set(claim.id, { body: claim.payloadText });
      continue;
    }
    try {
      built.push({ claim, ...(await buildBody(claim, await unsealInput(deps.db, inputOfClaim(claim)))) });
    } catch (error) {
      if (!(error instanceof ExpressionError || error instanceof MissingEventError)) throw error;
      prepared.set(claim.id, { body: null, retryInMs: await record(deps, claim, failedBuild(startedAt, error.message)) });
    }
  }
  const stored = await storeBodies(deps.db, built);
  // Skipped, or the lease ran out meanwhile (the delivery is another claim's now): nothing to send.
  for (const { claim } of built) {
    const body = stored.get(claim.id);
    prepared.set(claim.id, body === undefined ? NOTHING_TO_SEND : { body });
  }
  return prepared;
}

const NOTHING_TO_SEND: Prepared = { body: null, retryInMs: null };

/** Waits for the claim's batch to be ready, then sends the delivery if it has a body (see deliver). */
export async function deliverPrepared(
  deps: DeliverDeps,
  claim: ClaimedDelivery,
  batch: Promise<Map<string, Prepared>>,
  signal: AbortSignal,
): Promise<number | null> {
  const ready = (await batch).get(claim.id)!;
  return ready.body === null ? ready.retryInMs : deliver(deps, claim, ready.body, signal);
}

/**
 * One attempt of a prepared delivery: send `body`, apply the post-event write-back on success,
 * record the result. Answers the delay until the next attempt when one was scheduled. When
 * `signal` aborts (the node is stopping) the claim is given back unrecorded. Errors of the
 * database propagate and leave the claim to its lease.
 */
async function deliver(deps: DeliverDeps, claim: ClaimedDelivery, body: string, signal: AbortSignal): Promise<number | null> {
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
  if (outcome.ok) {
    await deps.recordSuccess({ claim, outcome });
    return null;
  }
  return record(deps, claim, outcome);
}

const record = (deps: DeliverDeps, claim: ClaimedDelivery, outcome: AttemptOutcome) =>
  recordFailure(deps, claim, outcome, deps.settings.minRetryIntervalMs);

const failedBuild = (startedAt: Date, error: string): AttemptOutcome => ({
  ok: false,
  startedAt,
  durationMs: Date.now() - startedAt.getTime(),
  statusCode: null,
  error,
  responseExcerpt: null,
});
