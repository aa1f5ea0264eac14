import type { Db } from "../db/database.ts";
import { AuthenticationError, RateLimitedError, ValidationError } from "../errors.ts";
import type { TeamMember } from "../generated/prisma/client.ts";
import { hashPassword, verifyPassword } from "../passwords/hashing.ts";
import { assertPasswordAllowed } from "../passwords/policy.ts";
import { hashToken } from "../security/tokens.ts";
import type { RequestInfo } from "../service-context.ts";
import { recordMemberChange } from "./member-events.ts";
import { clearTeamTotp, confirmTeamTotp, startTeamTotp, type TotpEnrolment } from "./mfa.ts";
import { TEAM_PASSWORD_POLICY } from "./service.ts";
import { endSession, isLiveSession, teamEmail, type SessionDeps } from "./sessions.ts";

// What a signed-in team member changes about their own sign-in from the console: the password and
// the authenticator app. Each change proves the member again (the password, or a code for turning
// the app on), so a browser left signed in cannot lock its owner out; each is recorded in every
// store the member holds, in the team log.

/** A live console session and its member, by the cookie's token; null when it ended. Cost: one read. */
export async function liveSession(db: Db, token: string): Promise<{ sessionId: string; member: TeamMember } | null> {
  const session = await db.consoleSession.findUnique({ where: { tokenHash: hashToken(token) }, include: { member: true } });
  if (!session || !isLiveSession(session, session.member)) return null;
  return { sessionId: session.id, member: session.member };
}

/**
 * Checks the member's current password under the sign-in throttle (a wrong one counts as a
 * failed sign-in): INVALID_CREDENTIALS when wrong, RATE_LIMITED while a wait runs.
 */
async function provePassword(deps: SessionDeps, member: TeamMember, password: string, request: RequestInfo): Promise<void> {
  const account = `team:${teamEmail(member.email)}`;
  const wait = await deps.throttle.wait(account, request.ip);
  if (wait !== null) throw new RateLimitedError(wait);
  if (!(await verifyPassword(member.passwordHash, password))) {
    await deps.throttle.fail(account, request.ip);
    throw new AuthenticationError("INVALID_CREDENTIALS", "The current password is not right");
  }
}

/**
 * Changes the member's password (the team policy: 12+ characters, not a common one) after the
 * current one; the member's other console sessions end (their store credentials revoked), this
 * one stays. Records `team.password_changed` in every store. Cost: two argon2 runs.
 */
export async function changeTeamPassword(
  deps: SessionDeps,
  session: { sessionId: string; member: TeamMember },
  passwords: { current: string; next: string },
  request: RequestInfo,
): Promise<{ sessionsEnded: number }> {
  const { member, sessionId } = session;
  assertPasswordAllowed(passwords.next, TEAM_PASSWORD_POLICY, "newPassword");
  await provePassword(deps, member, passwords.current, request);
  if (passwords.next === passwords.current)
    throw new ValidationError([{ field: "newPassword", message: "the new password is the current one" }]);
  const passwordHash = await hashPassword(passwords.next, deps.argon2);
  await deps.db.teamMember.update({ where: { id: member.id }, data: { passwordHash, passwordChangedAt: new Date() } });
  const others = await deps.db.consoleSession.findMany({
    where: { memberId: member.id, endedAt: null, id: { not: sessionId } },
    select: { id: true },
  });
  for (const other of others) await endSession(deps, other.id, request);
  await recordMemberChange(
    deps,
    { memberId: member.id, sessionId, type: "team.password_changed", data: { sessionsEnded: others.length } },
    request,
  );
  return { sessionsEnded: others.length };
}

/** Starts enrolling an authenticator app (see mfa.ts); nothing is recorded until it is confirmed. */
export const startAuthenticatorApp = (deps: SessionDeps, member: TeamMember): Promise<TotpEnrolment> =>
  startTeamTotp(deps.db, deps.masterKey, member);

/** Confirms the pending app with a current code; false for a wrong one. Records `team.mfa_enabled`. */
export async function confirmAuthenticatorApp(
  deps: SessionDeps,
  session: { sessionId: string; member: TeamMember },
  code: string,
  request: RequestInfo,
): Promise<boolean> {
  if (!(await confirmTeamTotp(deps.db, deps.masterKey, session.member, code))) return false;
  await recordMemberChange(deps, { memberId: session.member.id, sessionId: session.sessionId, type: "team.mfa_enabled" }, request);
  return true;
}

/** Turns the app off after the current password (a lost phone must not need the phone). Records `team.mfa_disabled`. */
export async function removeAuthenticatorApp(
  deps: SessionDeps,
  session: { sessionId: string; member: TeamMember },
  password: string,
  request: RequestInfo,
): Promise<void> {
  await provePassword(deps, session.member, password, request);
  await clearTeamTotp(deps.db, session.member.id);
  await recordMemberChange(deps, { memberId: session.member.id, sessionId: session.sessionId, type: "team.mfa_disabled" }, request);
}
