import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "../db/database.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { TeamMember } from "../generated/prisma/client.ts";
import { AdminScope } from "../generated/prisma/enums.ts";
import { hashPassword, type Argon2Params } from "../passwords/hashing.ts";
import { assertPasswordAllowed, type PasswordPolicy } from "../passwords/policy.ts";
import { ALL_SCOPES } from "../security/scopes.ts";
import { parseInput } from "../validation.ts";
import type { EventBus } from "../events/bus.ts";
import { NO_REQUEST } from "../service-context.ts";
import { recordMemberChange } from "./member-events.ts";
import { clearTeamTotp } from "./mfa.ts";
import { endSession, teamEmail } from "./sessions.ts";
import { isUniqueViolation } from "../db/unique.ts";

// The support team (README "Admin console"): people who sign in to the console with an email and
// a password, each granted admin scopes per identity store. Deployment-wide, so managed by the
// operator (CLI, first start) rather than by one tenant's credentials.

/** A generated console password (20 base64url characters, 120 bits): shown once, never typed into a shell history. */
export const newTeamPassword = () => randomBytes(15).toString("base64url");

/** The first start's team member: every scope in the first tenant. */
export const FIRST_MEMBER_EMAIL = "admin@gateway.local";

/**
 * On a fresh deployment (no team member yet), adds the first member with every scope in
 * `tenantId` and a generated password, returned once; null when the team exists already.
 */
export async function bootstrapFirstMember(
  db: Db,
  argon2: Argon2Params,
  tenantId: string,
): Promise<{ email: string; password: string } | null> {
  if (await hasTeamMembers(db)) return null;
  const password = newTeamPassword();
  const member = await addTeamMember(db, argon2, { email: FIRST_MEMBER_EMAIL, name: "Gateway admin", password });
  await grantStore(db, member.email, tenantId);
  return { email: member.email, password };
}

/** Console passwords: long enough that the rate limit and argon2id make guessing hopeless, and not a common one. */
export const TEAM_PASSWORD_POLICY: PasswordPolicy = { minLength: 12, maxLength: 1000 };

const memberInput = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  name: z.string().trim().min(1).max(100),
  password: z.string(),
});

const emailTaken = () => new ValidationError([{ field: "email", message: "a team member has this email already" }]);

/**
 * Adds a team member with an argon2id password; VALIDATION_FAILED on `email` when one has it
 * already (checked before hashing, and again by the unique index for a concurrent add).
 */
export async function addTeamMember(db: Db, argon2: Argon2Params, input: z.input<typeof memberInput>): Promise<TeamMember> {
  const { email, name, password } = parseInput(memberInput, input);
  assertPasswordAllowed(password, TEAM_PASSWORD_POLICY, "password");
  if (await db.teamMember.findUnique({ where: { email }, select: { id: true } })) throw emailTaken();
  const passwordHash = await hashPassword(password, argon2);
  try {
    return await db.teamMember.create({ data: { email, name, passwordHash } });
  } catch (error) {
    if (isUniqueViolation(error, "email")) throw emailTaken();
    throw error;
  }
}

/**
 * Gives a member `scopes` in one store (replacing what they held there); their console sessions
 * get the new scopes at once (the store credentials they opened are updated too).
 */
export async function grantStore(db: Db, email: string, tenantId: string, scopes: readonly AdminScope[] = ALL_SCOPES): Promise<void> {
  const member = await memberByEmail(db, email);
  const unknown = scopes.filter((s) => !ALL_SCOPES.includes(s));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new ValidationError([{ field: "scopes", message: `give scopes among ${ALL_SCOPES.join(", ")}` }]);
  }
  const distinct = [...new Set(scopes)];
  await db.$transaction([
    db.teamGrant.upsert({
      where: { memberId_tenantId: { memberId: member.id, tenantId } },
      create: { memberId: member.id, tenantId, scopes: distinct },
      update: { scopes: distinct },
    }),
    db.adminCredential.updateMany({
      where: { teamMemberId: member.id, tenantId, revokedAt: null },
      data: { scopes: distinct },
    }),
  ]);
}

async function memberByEmail(db: Db, email: string): Promise<TeamMember> {
  const member = await db.teamMember.findUnique({ where: { email: teamEmail(email) } });
  if (!member) throw new NotFoundError("TEAM_MEMBER_NOT_FOUND");
  return member;
}

/** Every member with the stores they hold grants in, by email. */
export function listTeamMembers(db: Db) {
  return db.teamMember.findMany({
    orderBy: { email: "asc" },
    include: { grants: { include: { tenant: { select: { slug: true, name: true } } }, orderBy: { createdAt: "asc" } } },
  });
}

/** Whether the deployment has any team member yet (the first start adds one). */
export async function hasTeamMembers(db: Db): Promise<boolean> {
  return (await db.teamMember.findFirst({ select: { id: true } })) !== null;
}

/**
 * Disables a member: they cannot sign in any more, their live sessions end and the store
 * credentials those opened are revoked (closing their sockets). Answers how many sessions ended.
 */
export async function disableTeamMember(deps: { db: Db; events: EventBus }, email: string): Promise<number> {
  const member = await memberByEmail(deps.db, email);
  if (!member.disabledAt) await deps.db.teamMember.update({ where: { id: member.id }, data: { disabledAt: new Date() } });
  const live = await deps.db.consoleSession.findMany({ where: { memberId: member.id, endedAt: null }, select: { id: true } });
  for (const session of live) await endSession(deps, session.id, NO_REQUEST);
  return live.length;
}

/**
 * The operator removes a member's authenticator app (a lost phone; the member cannot prove it):
 * their next sign-in asks for the password only, and they can turn a new app on. Records
 * `team.mfa_reset` in every store they hold. Answers whether they had one.
 */
export async function resetTeamMfa(deps: { db: Db; events: EventBus }, email: string): Promise<boolean> {
  const member = await memberByEmail(deps.db, email);
  if (!member.totpSecretSealed) return false;
  await clearTeamTotp(deps.db, member.id);
  await recordMemberChange(deps, { memberId: member.id, sessionId: null, type: "team.mfa_reset" }, NO_REQUEST);
  return true;
}
