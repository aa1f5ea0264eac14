import { encodeGlobalID } from "@pothos/plugin-relay";
import { AuthenticationError, RateLimitedError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { mutationResult } from "../graphql/common.ts";
import { customerService, publicService } from "../graphql/context.ts";
import { CALLER_OF_PUBLIC_MUTATION, SIGNED_IN } from "../graphql/policies.ts";
import { noteRateLimit } from "../security/rate-limit-plugin.ts";
import { SessionRef } from "../sessions/schema.ts";
import { refreshSession, signOut } from "./refresh.ts";
import { signIn } from "./sign-in.ts";
import { completeSignIn } from "./complete-sign-in.ts";
import type { IssuedChallenge } from "../authenticators/challenges.ts";

// Customer sign-in and tokens. Customers have no admin credential: public operations name their
// tenant with the `X-Tenant: <slug>` header, signed-in ones send `Authorization: Bearer <access
// token>` (the tenant is then in the token).

interface Tokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  session: { id: string; customerId: string; expiresAt: Date };
}

const tokensType = (name: string) =>
  builder.objectRef<Tokens>(name).implement({
    fields: (t) => ({
      accessToken: t.string({
        description:
          'JWT (EdDSA), valid for 15 minutes by default: send as `Authorization: Bearer <token>`. Claims: sub, tenant, sid, scope, amr (["pwd"] or ["pwd","otp"]).',
        resolve: (p) => p.accessToken,
      }),
      accessTokenExpiresAt: t.field({ type: "DateTime", resolve: (p) => p.accessTokenExpiresAt }),
      tokenType: t.string({ description: 'Always "Bearer".', resolve: () => "Bearer" }),
      refreshToken: t.string({
        description: "Opaque, single-use: trade it for new tokens with refreshSession. Using a spent one again revokes the session.",
        resolve: (p) => p.refreshToken,
      }),
      sessionId: t.id({
        description: "Global ID of the session these tokens belong to.",
        resolve: (p) => encodeGlobalID("Session", p.session.id),
      }),
      customerId: t.id({
        description: "Global ID of the signed-in customer.",
        resolve: (p) => encodeGlobalID("Customer", p.session.customerId),
      }),
      sessionExpiresAt: t.field({ type: "DateTime", description: "After this, sign in again.", resolve: (p) => p.session.expiresAt }),
    }),
  });

const SignInPayload = tokensType("SignInPayload");

/**
 * signIn's answer when the customer has an authenticator app. The errors plugin builds signIn's
 * typed result union (SignInPayload | AuthenticationError | RateLimitedError) from thrown classes,
 * and a directResult field must return an object type, so this answer is thrown too and caught by
 * the plugin like the errors — the union grows by one member instead of changing signIn's shape.
 */
class MfaRequired extends Error {
  constructor(readonly issued: IssuedChallenge) {
    super("A second factor is required: completeSignIn with the challenge");
  }
}

const MfaMethodEnum = builder.enumType("MfaMethod", { values: ["TOTP", "RECOVERY_CODE"] as const });

builder.objectType(MfaRequired, {
  name: "MfaRequired",
  authScopes: CALLER_OF_PUBLIC_MUTATION,
  description: "The password was right and the customer has an authenticator app: send the challenge and a code to completeSignIn.",
  isTypeOf: (e) => e instanceof MfaRequired,
  fields: (t) => ({
    challenge: t.string({
      description: "Opaque, single-use, valid 5 minutes and for at most 5 wrong codes.",
      resolve: (e) => e.issued.challenge,
    }),
    expiresAt: t.field({ type: "DateTime", resolve: (e) => e.issued.expiresAt }),
    methods: t.field({
      type: [MfaMethodEnum],
      description: "What completeSignIn accepts: TOTP (code), RECOVERY_CODE (recoveryCode) while unused ones remain.",
      resolve: (e) => e.issued.methods,
    }),
  }),
});
const RefreshSessionPayload = tokensType("RefreshSessionPayload");

const authFailures = () => ({ types: [AuthenticationError], directResult: true as const });

builder.mutationFields((t) => ({
  signIn: t.field({
    type: SignInPayload,
    errors: { types: [MfaRequired, AuthenticationError, RateLimitedError], directResult: true },
    description:
      "Customer sign-in; needs no admin credential, but the `X-Tenant: <slug>` header naming the tenant. " +
      "A customer with an authenticator app gets MfaRequired instead of tokens: finish with completeSignIn. " +
      "Every failure (unknown identifier, wrong password, blocked or disabled customer) answers the same INVALID_CREDENTIALS. " +
      "Limited per IP and per identifier, and repeated failures make the next attempt wait longer (RATE_LIMITED with retryAfter, HTTP 429); " +
      "failures never end the customer's sessions.",
    args: {
      identifier: t.arg.string({ required: true, description: "Email, phone (E.164, starting with +) or username." }),
      password: t.arg.string({ required: true }),
    },
    resolve: (_root, args, ctx) =>
      noteRateLimit(ctx, async () => {
        const outcome = await signIn(await publicService(ctx), ctx.auth, args);
        if ("mfaRequired" in outcome) throw new MfaRequired(outcome.mfaRequired);
        return outcome;
      }),
  }),
  completeSignIn: t.field({
    type: SignInPayload,
    errors: { types: [AuthenticationError, RateLimitedError], directResult: true },
    description:
      "Second step of a sign-in that answered MfaRequired (send `X-Tenant: <slug>`): the challenge and either a current code of the " +
      "authenticator app or an unused recovery code. Answers the same tokens as signIn. A dead challenge answers INVALID_TOKEN (sign in again); " +
      "a wrong or replayed code INVALID_CREDENTIALS, and it counts toward the same waits and lock as a wrong password.",
    args: {
      challenge: t.arg.string({ required: true }),
      code: t.arg.string({ description: "6 digits from the authenticator app." }),
      recoveryCode: t.arg.string({ description: "One of the recovery codes (single-use)." }),
    },
    resolve: (_root, args, ctx) => noteRateLimit(ctx, async () => completeSignIn(await publicService(ctx), ctx.auth, args)),
  }),
  refreshSession: t.field({
    type: RefreshSessionPayload,
    errors: authFailures(),
    description:
      "Trades a refresh token for a new access token and a new refresh token (send `X-Tenant: <slug>`). " +
      "The old refresh token is spent; presenting it again revokes the whole session (theft detection).",
    args: { refreshToken: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => refreshSession(await publicService(ctx), ctx.auth, args.refreshToken),
  }),
  signOut: t.field({
    ...mutationResult(SessionRef, "session", SIGNED_IN),
    description: "Signed-in customer: ends the session of this access token; its access and refresh tokens stop working at once.",
    resolve: (_root, _args, ctx) => signOut(customerService(ctx)),
  }),
}));
