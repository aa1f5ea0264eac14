import { authenticatorGlobalId, decodeAuthenticatorId, TotpAuthenticatorRef } from "../authenticators/schema.ts";
import type { Authenticator } from "../authenticators/list.ts";
import {
  confirmTotp,
  enrollTotp,
  regenerateOwnRecoveryCodes,
  removeOwnTotpFactor,
  type TotpEnrollment,
} from "../authenticators/service.ts";
import { AuthenticationError, NotFoundError, RateLimitedError } from "../errors.ts";
import type { TotpFactor } from "../generated/prisma/client.ts";
import { builder } from "../graphql/builder.ts";
import { mutationResult } from "../graphql/common.ts";
import { customerService } from "../graphql/context.ts";
import { SIGNED_IN } from "../graphql/policies.ts";
import { noteRateLimit } from "../security/rate-limit-plugin.ts";

// The signed-in customer's second factors: enroll and confirm an authenticator app, remove one,
// regenerate recovery codes (services: authenticators/service.ts). Secrets and codes appear only
// in the answer that creates them.

const asAuthenticator = (f: TotpFactor): Extract<Authenticator, { kind: "TOTP" }> => ({
  kind: "TOTP",
  id: f.id,
  label: f.label,
  confirmedAt: f.confirmedAt,
  createdAt: f.createdAt,
  lastUsedAt: f.lastUsedAt,
});

const TotpEnrollmentRef = builder.objectRef<TotpEnrollment>("TotpEnrollment").implement({
  authScopes: SIGNED_IN,
  description:
    "A pending authenticator app: show the URI as a QR code (or the secret), then confirmTotp with a code. Shown only this once.",
  fields: (t) => ({
    factor: t.field({ type: TotpAuthenticatorRef, resolve: (e) => asAuthenticator(e.factor) }),
    factorId: t.id({ description: "Pass to confirmTotp.", resolve: (e) => authenticatorGlobalId({ kind: "TOTP", id: e.factor.id }) }),
    secret: t.string({ description: "Base32, for apps that cannot scan.", resolve: (e) => e.secret }),
    uri: t.string({ description: "otpauth://totp/<tenant name>:<email or username>?secret=…&issuer=…", resolve: (e) => e.uri }),
  }),
});

const RecoveryCodesRef = builder.objectRef<{ factor: TotpFactor | null; recoveryCodes: string[] }>("RecoveryCodes").implement({
  authScopes: SIGNED_IN,
  description: "Fresh single-use recovery codes (they replace any earlier ones). Shown only this once: ask the customer to keep them safe.",
  fields: (t) => ({
    factor: t.field({
      type: TotpAuthenticatorRef,
      nullable: true,
      description: "The app just confirmed (confirmTotp).",
      resolve: (r) => (r.factor ? asAuthenticator(r.factor) : null),
    }),
    recoveryCodes: t.stringList({ resolve: (r) => r.recoveryCodes }),
  }),
});

const CODE_HELP = "A current code of one of the customer's authenticator apps.";
const RECOVERY_HELP = "Or one of the customer's unused recovery codes (it is spent).";
const withAuthErrors = <T extends { errors: object }>(result: T) => ({
  ...result,
  errors: { ...result.errors, types: [AuthenticationError, RateLimitedError] },
});

/** A TotpAuthenticator global ID of the caller's, else AUTHENTICATOR_NOT_FOUND. */
function totpFactorId(globalId: string): string {
  const { kind, id } = decodeAuthenticatorId(globalId);
  if (kind !== "TOTP") throw new NotFoundError("AUTHENTICATOR_NOT_FOUND");
  return id;
}

builder.mutationFields((t) => ({
  enrollTotp: t.field({
    ...mutationResult(TotpEnrollmentRef, "enrollment", SIGNED_IN),
    description: "Signed-in customer: starts adding an authenticator app (a pending one left unconfirmed is replaced). At most 5 apps.",
    args: { label: t.arg.string({ description: 'What the customer calls it, e.g. "Work phone" (default "Authenticator app").' }) },
    resolve: (_root, args, ctx) => enrollTotp(customerService(ctx), ctx.auth, args.label),
  }),
  confirmTotp: t.field({
    ...mutationResult(RecoveryCodesRef, "confirmation", SIGNED_IN),
    description:
      "Signed-in customer: activates a pending app with the code it shows now; from then on signIn asks for a code. " +
      "Answers 10 fresh recovery codes, shown only this once.",
    args: { factorId: t.arg.id({ required: true }), code: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => confirmTotp(customerService(ctx), ctx.auth, totpFactorId(args.factorId), args.code),
  }),
  removeMyAuthenticator: t.field({
    ...withAuthErrors(mutationResult(TotpAuthenticatorRef, "authenticator", SIGNED_IN)),
    description:
      "Signed-in customer: removes one of their authenticator apps, proving a current code or a recovery code (a wrong one counts like a wrong password). " +
      "Without a confirmed app left, sign-in is single-factor again and the recovery codes are deleted.",
    args: {
      authenticatorId: t.arg.id({ required: true }),
      code: t.arg.string({ description: CODE_HELP }),
      recoveryCode: t.arg.string({ description: RECOVERY_HELP }),
    },
    resolve: (_root, args, ctx) =>
      noteRateLimit(ctx, async () =>
        asAuthenticator(await removeOwnTotpFactor(customerService(ctx), ctx.auth, totpFactorId(args.authenticatorId), args)),
      ),
  }),
  regenerateMyRecoveryCodes: t.field({
    ...withAuthErrors(mutationResult(RecoveryCodesRef, "recoveryCodes", SIGNED_IN)),
    description:
      "Signed-in customer with an authenticator app: replaces their recovery codes with 10 new ones, proving a current code or a recovery code.",
    args: { code: t.arg.string({ description: CODE_HELP }), recoveryCode: t.arg.string({ description: RECOVERY_HELP }) },
    resolve: (_root, args, ctx) =>
      noteRateLimit(ctx, async () => ({
        factor: null,
        recoveryCodes: await regenerateOwnRecoveryCodes(customerService(ctx), ctx.auth, args),
      })),
  }),
}));
