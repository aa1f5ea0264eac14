import type { Contact, Identity, RecoveryCode, TotpFactor } from "../generated/prisma/client.ts";

// A customer's authenticators, built from rows the Customer query already loaded (the field's
// `select` folds them into it: no statement per customer). Pure.

export type AuthenticatorKind = "PASSWORD" | "EMAIL" | "PHONE" | "TOTP" | "RECOVERY_CODES" | "EXTERNAL";

interface Base {
  /** Row id: the customer's for PASSWORD and RECOVERY_CODES, the contact's, factor's or identity's otherwise. */
  id: string;
  createdAt: Date | null;
  lastUsedAt: Date | null;
}

export type Authenticator =
  | (Base & { kind: "PASSWORD"; set: boolean; lastChangedAt: Date | null })
  | (Base & { kind: "EMAIL" | "PHONE"; value: string; verified: boolean; primary: boolean; contact: Contact })
  | (Base & { kind: "TOTP"; label: string; confirmedAt: Date | null })
  | (Base & { kind: "RECOVERY_CODES"; remaining: number; total: number })
  | (Base & { kind: "EXTERNAL"; provider: string; providerUserId: string });

export interface AuthenticatorRows {
  id: string;
  passwordHash: string | null;
  passwordChangedAt: Date | null;
  contacts: Contact[];
  identities: Identity[];
  totpFactors: TotpFactor[];
  recoveryCodes: Pick<RecoveryCode, "usedAt" | "createdAt">[];
}

/** Password first, then emails and phones (primary first), TOTP apps, recovery codes, external identities. */
export function listAuthenticators(c: AuthenticatorRows): Authenticator[] {
  const list: Authenticator[] = [
    { kind: "PASSWORD", id: c.id, set: c.passwordHash !== null, lastChangedAt: c.passwordChangedAt, createdAt: null, lastUsedAt: null },
  ];
  const contacts = [...c.contacts].sort(
    (a, b) => a.kind.localeCompare(b.kind) || Number(b.primary) - Number(a.primary) || +a.createdAt - +b.createdAt,
  );
  for (const k of contacts) {
    list.push({
      kind: k.kind,
      id: k.id,
      value: k.value,
      contact: k,
      verified: k.verified,
      primary: k.primary,
      createdAt: k.createdAt,
      lastUsedAt: null,
    });
  }
  for (const f of c.totpFactors) {
    list.push({ kind: "TOTP", id: f.id, label: f.label, confirmedAt: f.confirmedAt, createdAt: f.createdAt, lastUsedAt: f.lastUsedAt });
  }
  if (c.recoveryCodes.length > 0) {
    const remaining = c.recoveryCodes.filter((r) => r.usedAt === null).length;
    const used = c.recoveryCodes.map((r) => r.usedAt).filter((d): d is Date => d !== null);
    list.push({
      kind: "RECOVERY_CODES",
      id: c.id,
      remaining,
      total: c.recoveryCodes.length,
      createdAt: c.recoveryCodes[0].createdAt,
      lastUsedAt: used.length ? new Date(Math.max(...used.map(Number))) : null,
    });
  }
  for (const i of c.identities) {
    list.push({
      kind: "EXTERNAL",
      id: i.id,
      provider: i.provider,
      providerUserId: i.providerUserId,
      createdAt: i.linkedAt,
      lastUsedAt: i.lastUsedAt,
    });
  }
  return list;
}
