import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { revokeCredential } from "../admin-auth/service.ts";
import type { Db } from "../db/database.ts";
import { transact } from "../db/transact.ts";
import { RateLimitedError } from "../errors.ts";
import type { EventBus } from "../events/bus.ts";
import { dummyHash, verifyPassword, type Argon2Params } from "../passwords/hashing.ts";
import type { SignInThrottle } from "../security/throttle.ts";
import { generateApiKey, hashToken, newOpaqueToken } from "../security/tokens.ts";
import { acceptTeamCode } from "./mfa.ts";
import { serviceContext, type AdminPrincipal, type RequestInfo } from "../service-context.ts";

// Console sessions: a sign-in opens one admin credential per store the member holds a grant in
// (admin_credential.console_session_id), so everything an admin credential does — scopes on every
// type, revocation closing open sockets, impersonation, export links — holds for the console too,
// and every event it writes names the member (audit_event.team_member_id). The credential's own
// secret is never handed out: it works only with the session's cookie and CSRF token.

/** How long a console sign-in lasts. */
export const CONSOLE_SESSION_HOURS = 12;

export interface SessionDeps {
  db: Db;
  events: EventBus;
  argon2: Argon2Params;
  throttle: SignInThrottle;
  /** Opens members' authenticator-app secrets; null: no member can turn one on. */
  masterKey: Buffer | null;
}

/** What a sign-in attempt comes to: refused (null), a code needed, or the session. */
export type SignInResult = null | { mfaRequired: true } | { mfaRequired: false; token: string; expiresAt: Date; view: SessionView };

/** What the console learns about its session: never the cookie's token itself. */
export interface SessionView {
  csrfToken: string;
  member: { id: string; name: string; email: string; authenticatorApp: boolean };
  expiresAt: string;
  stores: { keyId: string; tenantId: string; name: string; slug: string; scopes: string[] }[];
}

/** Team emails are stored lowercased: what a sign-in or a CLI command names is compared that way. */
export const teamEmail = (email: string) => email.trim().toLowerCase();

/** The CSRF token of a session: derived from the cookie's token, so nothing more is stored. */
export const csrfTokenOf = (token: string) => createHmac("sha256", token).update("console-csrf").digest("base64url");

export function csrfMatches(token: string, presented: string | null | undefined): boolean {
  const expected = Buffer.from(csrfTokenOf(token));
  const given = Buffer.from(presented ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Checks a member's email and password. Unknown emails, disabled members and wrong passwords all
 * cost one argon2 verification and answer null; failures feed the sign-in throttle (per email and
 * per email+IP), which answers RATE_LIMITED while a wait runs. A member with an authenticator app
 * needs `code` too: without it the right password answers mfaRequired (and counts neither way);
 * a wrong or replayed code fails like a wrong password. On success: the session and one
 * credential per granted store, each store's in its own transaction with `console.signed_in`.
 */
export async function signIn(
  deps: SessionDeps,
  attempt: { email: string; password: string; code?: string },
  request: RequestInfo,
): Promise<SignInResult> {
  const account = `team:${teamEmail(attempt.email)}`;
  const wait = await deps.throttle.wait(account, request.ip);
  if (wait !== null) throw new RateLimitedError(wait);
  const member = await deps.db.teamMember.findUnique({ where: { email: teamEmail(attempt.email) }, include: { grants: true } });
  const usable = member && !member.disabledAt ? member : null;
  const valid = await verifyPassword(usable?.passwordHash ?? (await dummyHash(deps.argon2)), attempt.password);
  if (usable && valid && usable.totpConfirmedAt && attempt.code === undefined) return { mfaRequired: true };
  // The code is checked only after the password: a right code with a wrong password spends nothing.
  const secondFactor =
    usable && valid && (!usable.totpConfirmedAt || (await acceptTeamCode(deps.db, deps.masterKey, usable, attempt.code ?? "")));
  if (!usable || !secondFactor) {
    await deps.throttle.fail(account, request.ip);
    return null;
  }
  await deps.throttle.succeed(account, request.ip);
  const { token, hash } = newOpaqueToken();
  const expiresAt = new Date(Date.now() + CONSOLE_SESSION_HOURS * 3600_000);
  const session = await deps.db.consoleSession.create({
    data: { memberId: usable.id, tokenHash: hash, expiresAt, ip: request.ip, userAgent: request.userAgent },
  });
  try {
    for (const grant of usable.grants) {
      const id = randomUUID();
      const ctx = serviceContext(deps, grant.tenantId, { kind: "ADMIN", id, teamMemberId: usable.id }, request);
      await transact(ctx, async (tx, audit) => {
        const { keyId, secretHash } = generateApiKey();
        const name = `console: ${usable.name}`;
        await tx.adminCredential.create({
          data: {
            id,
            tenantId: grant.tenantId,
            keyId,
            secretHash,
            name,
            scopes: grant.scopes,
            teamMemberId: usable.id,
            consoleSessionId: session.id,
          },
        });
        await audit({
          type: "console.signed_in",
          data: { teamMemberId: usable.id, name: usable.name, credentialId: id, scopes: grant.scopes },
        });
      });
    }
  } catch (error) {
    // The cookie never reaches the browser; nothing this session opened may stay usable.
    await deps.db.consoleSession.update({ where: { id: session.id }, data: { endedAt: new Date() } });
    throw error;
  }
  return { mfaRequired: false, token, expiresAt, view: (await sessionView(deps.db, token))! };
}

/** Whether a console session still holds: not ended, not expired, and its member (when known) not disabled. */
export const isLiveSession = (session: { endedAt: Date | null; expiresAt: Date }, member: { disabledAt: Date | null } | null) =>
  session.endedAt === null && session.expiresAt > new Date() && member !== null && member.disabledAt === null;

/** The live session a cookie's token names, or null (unknown, ended, expired, member disabled). Cost: one read. */
export async function sessionView(db: Db, token: string): Promise<SessionView | null> {
  const session = await db.consoleSession.findUnique({
    where: { tokenHash: hashToken(token) },
    include: {
      member: true,
      credentials: {
        where: { revokedAt: null },
        include: { tenant: { select: { name: true, slug: true } } },
        orderBy: { createdAt: "asc" },
      },
    },
  });
  if (!session || !isLiveSession(session, session.member)) return null;
  const { id, name, email, totpConfirmedAt } = session.member;
  return {
    csrfToken: csrfTokenOf(token),
    member: { id, name, email, authenticatorApp: totpConfirmedAt !== null },
    expiresAt: session.expiresAt.toISOString(),
    stores: session.credentials.map((c) => ({
      keyId: c.keyId,
      tenantId: c.tenantId,
      name: c.tenant.name,
      slug: c.tenant.slug,
      scopes: c.scopes,
    })),
  };
}

/**
 * The admin principal of a console request: the session's credential for the store `keyId` names,
 * while the session lives. Null for anything else. Cost: one read (credential, session, member).
 */
export async function consolePrincipal(db: Db, token: string, keyId: string): Promise<AdminPrincipal | null> {
  if (keyId.length > 100) return null;
  const credential = await db.adminCredential.findUnique({
    where: { keyId },
    include: { consoleSession: true, teamMember: { select: { disabledAt: true } } },
  });
  const session = credential?.consoleSession;
  if (!credential || credential.revokedAt || !session || session.tokenHash !== hashToken(token)) return null;
  if (!isLiveSession(session, credential.teamMember)) return null;
  return {
    tenantId: credential.tenantId,
    credentialId: credential.id,
    keyId: credential.keyId,
    scopes: credential.scopes,
    teamMemberId: credential.teamMemberId,
  };
}

/** Signs out the session a cookie's token names; false when there is none live. */
export async function signOut(deps: Pick<SessionDeps, "db" | "events">, token: string, request: RequestInfo): Promise<boolean> {
  const session = await deps.db.consoleSession.findUnique({ where: { tokenHash: hashToken(token) }, select: { id: true, endedAt: true } });
  if (!session || session.endedAt) return false;
  await endSession(deps, session.id, request);
  return true;
}

/**
 * Ends a session and revokes its store credentials (each `credential.revoked` in its store, which
 * also closes sockets opened with them). Cost: one transaction per store.
 */
export async function endSession(deps: Pick<SessionDeps, "db" | "events">, sessionId: string, request: RequestInfo): Promise<void> {
  const session = await deps.db.consoleSession.update({
    where: { id: sessionId },
    data: { endedAt: new Date() },
    include: { credentials: { where: { revokedAt: null } } },
  });
  for (const credential of session.credentials) {
    const actor = { kind: "ADMIN" as const, id: credential.id, teamMemberId: session.memberId };
    await revokeCredential(serviceContext(deps, credential.tenantId, actor, request), credential.id);
  }
}
