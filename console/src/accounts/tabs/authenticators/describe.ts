import type { AuthenticatorKind, ConsoleAuthenticatorFragment } from "../../../generated/graphql.ts";
import { formatDate } from "../../labels.tsx";

export const KIND_NAMES: Record<AuthenticatorKind, string> = {
  PASSWORD: "Password",
  EMAIL: "Email",
  PHONE: "Phone",
  TOTP: "Authenticator app",
  RECOVERY_CODES: "Recovery codes",
  EXTERNAL: "External identity",
};

/** What one authenticator is, in words (never a secret: the API has none to give). */
export function describeAuthenticator(a: ConsoleAuthenticatorFragment): string {
  switch (a.__typename) {
    case "PasswordAuthenticator":
      return a.set ? `Set${a.lastChangedAt ? `, changed ${formatDate(a.lastChangedAt)}` : ""}` : "Not set";
    case "EmailAuthenticator":
      return [a.address, a.primary && "primary", a.verified ? "verified" : "unverified"].filter(Boolean).join(", ");
    case "PhoneAuthenticator":
      return [a.number, a.primary && "primary", a.verified ? "verified" : "unverified"].filter(Boolean).join(", ");
    case "TotpAuthenticator":
      return a.confirmed ? a.label : `${a.label} (not confirmed yet)`;
    case "RecoveryCodesAuthenticator":
      return `${a.remaining} of ${a.total} unused`;
    case "ExternalAuthenticator":
      return `${a.provider}: ${a.providerUserId}`;
  }
}
