import type { Transporter } from "nodemailer";
import type { NotificationSettings } from "../config.ts";
import type { Db } from "../db/database.ts";
import { transact, type Tx } from "../db/transact.ts";
import type { EventBus } from "../events/bus.ts";
import { serviceContext } from "../service-context.ts";
import type { ClaimedNotification } from "./claims.ts";

// One attempt at one claimed notification, and its result. Over SMTP when SMTP_URL is set;
// otherwise handed to the tenant's connectors: a `customer.notification_requested` audit event, which
// the connector outbox (src/db/transact.ts) queues for every connector listening to it — in the
// same transaction that marks the notification SENT. Each result is one short transaction, fenced
// by the claim token, with its attempt row and audit event.

export interface DeliverDeps {
  db: Db;
  events: EventBus;
  settings: NotificationSettings;
  /** Null: no SMTP server; the connectors deliver. */
  transport: Transporter | null;
}

const REQUESTED = "customer.notification_requested";
/** Attempt details are capped: an SMTP server's answer is not ours to store in full. */
const DETAIL_MAX = 500;

class ClaimLost extends Error {}
class NoConnector extends Error {}

const contextFor = (deps: DeliverDeps, claim: ClaimedNotification) => serviceContext(deps, claim.tenantId, { kind: "SYSTEM", id: null });

function fromHeader(deps: DeliverDeps, claim: ClaimedNotification) {
  const sender = JSON.parse(claim.sender) as { name: string; address: string | null };
  return { name: sender.name, address: sender.address ?? deps.settings.from };
}

/** The delay before attempt `n + 1` after `n` failed: base × 2^(n-1), at most an hour. */
export const retryDelayMs = (settings: NotificationSettings, failed: number) =>
  Math.min(settings.retryBaseMs * 2 ** Math.max(0, failed - 1), 3_600_000);

/** Sends one claimed notification and records the outcome. Answers when to look again (a retry), or null. */
export async function deliverNotification(deps: DeliverDeps, claim: ClaimedNotification): Promise<number | null> {
  const started = Date.now();
  try {
    if (deps.transport) {
      const info = await deps.transport.sendMail({
        from: fromHeader(deps, claim),
        to: claim.recipient,
        subject: claim.subject,
        text: claim.textBody,
        ...(claim.htmlBody ? { html: claim.htmlBody } : {}),
      });
      await recordSent(deps, claim, "SMTP", String(info.response ?? "accepted"), Date.now() - started);
    } else {
      await recordSent(deps, claim, "CONNECTORS", "handed to the connectors", Date.now() - started);
    }
    return null;
  } catch (error) {
    if (error instanceof ClaimLost) return null;
    const detail = error instanceof NoConnector ? error.message : `${(error as Error)?.message ?? String(error)}`.slice(0, DETAIL_MAX);
    return recordFailure(deps, claim, detail, Date.now() - started);
  }
}

/** Marks the claim's row with `data`, where the claim still holds; throws ClaimLost otherwise. */
async function settle(tx: Tx, claim: ClaimedNotification, data: Parameters<Tx["notification"]["updateMany"]>[0]["data"]) {
  const { count } = await tx.notification.updateMany({ where: { id: claim.id, claimToken: claim.claimToken }, data });
  if (count === 0) throw new ClaimLost("the lease ran out: another claim holds the notification");
}

async function recordSent(deps: DeliverDeps, claim: ClaimedNotification, channel: string, detail: string, durationMs: number) {
  const number = claim.attempts + 1;
  await transact(contextFor(deps, claim), async (tx, audit) => {
    if (channel === "CONNECTORS") {
      const listening = await tx.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM connector
        WHERE tenant_id = ${claim.tenantId}::uuid AND direction = 'OUTFLOW' AND active AND ${REQUESTED} LIKE ANY (event_like)`;
      if (!listening[0] || listening[0].n === 0)
        throw new NoConnector(`SMTP_URL is not set and no active connector listens to ${REQUESTED}`);
      await audit({
        type: REQUESTED,
        customerId: claim.customerId,
        data: {
          notificationId: claim.id,
          kind: claim.kind,
          applicationId: claim.applicationId,
          to: claim.recipient,
          from: fromHeader(deps, claim),
          subject: claim.subject,
          text: claim.textBody,
          html: claim.htmlBody,
        },
      });
    }
    await settle(tx, claim, {
      status: "SENT",
      attempts: number,
      channel,
      sentAt: new Date(),
      claimToken: null,
      lastError: null,
      textBody: null,
      htmlBody: null,
    });
    await tx.notificationAttempt.create({
      data: { tenantId: claim.tenantId, notificationId: claim.id, number, ok: true, detail: detail.slice(0, DETAIL_MAX), durationMs },
    });
    await audit({
      type: "customer.notification_sent",
      customerId: claim.customerId,
      data: { notificationId: claim.id, kind: claim.kind, channel, attempts: number },
    });
  });
}

async function recordFailure(deps: DeliverDeps, claim: ClaimedNotification, detail: string, durationMs: number): Promise<number | null> {
  const number = claim.attempts + 1;
  const last = number >= deps.settings.maxAttempts;
  const retryIn = last ? null : retryDelayMs(deps.settings, number);
  try {
    await transact(contextFor(deps, claim), async (tx, audit) => {
      await settle(
        tx,
        claim,
        last
          ? { status: "FAILED", attempts: number, claimToken: null, lastError: detail, textBody: null, htmlBody: null }
          : { status: "PENDING", attempts: number, claimToken: null, lastError: detail, nextAttemptAt: new Date(Date.now() + retryIn!) },
      );
      await tx.notificationAttempt.create({
        data: { tenantId: claim.tenantId, notificationId: claim.id, number, ok: false, detail, durationMs },
      });
      if (last) {
        await audit({
          type: "customer.notification_failed",
          customerId: claim.customerId,
          data: { notificationId: claim.id, kind: claim.kind, attempts: number, error: detail },
        });
      }
    });
  } catch (error) {
    if (error instanceof ClaimLost) return null;
    throw error;
  }
  return retryIn;
}
