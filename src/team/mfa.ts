import { acceptedStep, newTotpSecret, openTotpSecret, sealTotpSecret, totpUri } from "../authenticators/totp.ts";
import type { Db } from "../db/database.ts";
import { RuleViolationError, SignInUnavailableError } from "../errors.ts";
import type { TeamMember } from "../generated/prisma/client.ts";

// A team member's authenticator app (TOTP), the console's second sign-in factor: the same RFC 6238
// parameters, sealing and replay rule as customers' apps (src/authenticators/totp.ts). One app per
// member. A lost app is removed by the operator (`team reset-mfa`), as the member cannot prove it.

/** The issuer an authenticator app shows beside the member's email. */
const ISSUER = "Identity gateway console";

const alreadyOn = () => new RuleViolationError("INVALID_STATE", "An authenticator app is on already: remove it first");

/** What enrolment shows once: the secret for typing in, the otpauth:// URI for a QR code. */
export interface TotpEnrolment {
  secret: string;
  uri: string;
}

/**
 * Starts (or restarts) enrolment: a new secret, sealed, pending until confirmTeamTotp. Sign-in is
 * unchanged until then. INVALID_STATE when an app is confirmed; SIGN_IN_UNAVAILABLE without a master key.
 */
export async function startTeamTotp(db: Db, masterKey: Buffer | null, member: TeamMember): Promise<TotpEnrolment> {
  if (!masterKey) throw new SignInUnavailableError();
  if (member.totpConfirmedAt) throw alreadyOn();
  const secret = newTotpSecret();
  await db.teamMember.update({
    where: { id: member.id },
    data: { totpSecretSealed: sealTotpSecret(masterKey, member.id, secret), totpLastStep: null },
  });
  return { secret, uri: totpUri(ISSUER, member.email, secret) };
}

/**
 * Whether `code` is the member's current code, not used before: on success the step is recorded
 * (a conditional update, so two requests with one code cannot both pass). A pending app counts
 * only with `pending` (confirming it). Cost: up to three HMACs and one UPDATE.
 */
export async function acceptTeamCode(
  db: Db,
  masterKey: Buffer | null,
  member: TeamMember,
  code: string,
  pending = false,
): Promise<boolean> {
  if (!masterKey || !member.totpSecretSealed || (!member.totpConfirmedAt && !pending)) return false;
  const step = await acceptedStep(openTotpSecret(masterKey, member.id, member.totpSecretSealed), code, member.totpLastStep);
  if (step === null) return false;
  const { count } = await db.teamMember.updateMany({
    where: { id: member.id, OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }] },
    data: { totpLastStep: step, ...(pending ? { totpConfirmedAt: new Date() } : {}) },
  });
  return count === 1;
}

/** Confirms a pending app with the code it shows: from the next sign-in on, the console asks for a code. */
export async function confirmTeamTotp(db: Db, masterKey: Buffer | null, member: TeamMember, code: string): Promise<boolean> {
  if (member.totpConfirmedAt) throw alreadyOn();
  return acceptTeamCode(db, masterKey, member, code, true);
}

/** Forgets the member's app (pending or confirmed): sign-in asks for the password only. */
export async function clearTeamTotp(db: Db, memberId: string): Promise<void> {
  await db.teamMember.update({
    where: { id: memberId },
    data: { totpSecretSealed: null, totpConfirmedAt: null, totpLastStep: null },
  });
}
