import type { Db } from "../db/database.ts";
import type { NotificationKind } from "../generated/prisma/enums.ts";

// Claiming notifications, the project's way (src/connectors/claims.ts): one short auto-committed
// statement, FOR UPDATE SKIP LOCKED so nodes claim side by side, a lease (status SENDING, a fresh
// claim_token, next_attempt_at moved to the lease's end). A node killed mid-send leaves the row
// SENDING; once the lease has run out any node claims it again, so nothing is lost (a message the
// dead node handed to the SMTP server just before dying may go twice: at least once, never zero).
// Results are written only where the claim_token still matches.

export interface ClaimedNotification {
  id: string;
  tenantId: string;
  customerId: string;
  applicationId: string | null;
  kind: NotificationKind;
  recipient: string;
  /** JSON {name, address}: the application's display name and sender address (null: SMTP_FROM). */
  sender: string;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  /** Attempts made before this claim. */
  attempts: number;
  claimToken: string;
}

/** Claims up to `limit` due notifications (oldest due first) for `leaseMs`. Cost: one statement. */
export async function claimNotifications(db: Db, limit: number, leaseMs: number): Promise<ClaimedNotification[]> {
  return db.$queryRaw<ClaimedNotification[]>`
    WITH due AS (
      SELECT id FROM notification
      WHERE status IN ('PENDING', 'SENDING') AND next_attempt_at <= now()
      ORDER BY next_attempt_at, created_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE notification n
    SET status = 'SENDING', claim_token = gen_random_uuid(), next_attempt_at = now() + ${leaseMs}::int * interval '1 millisecond'
    FROM due WHERE n.id = due.id
    RETURNING n.id, n.tenant_id AS "tenantId", n.customer_id AS "customerId", n.application_id AS "applicationId", n.kind::text AS kind,
      n.recipient, n.sender, n.subject, n.text_body AS "textBody", n.html_body AS "htmlBody", n.attempts, n.claim_token::text AS "claimToken"`;
}

/** Gives a claim back at once (this node is stopping): due again now, no attempt counted. */
export async function releaseNotification(db: Db, claim: ClaimedNotification): Promise<void> {
  await db.$executeRaw`
    UPDATE notification SET status = 'PENDING', next_attempt_at = now(), claim_token = NULL
    WHERE id = ${claim.id}::uuid AND claim_token = ${claim.claimToken}::uuid`;
}
