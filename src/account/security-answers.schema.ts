import { CustomerRef } from "../customers/schema.ts";
import { AuthenticationError, RateLimitedError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { adminService, customerService, publicService } from "../graphql/context.ts";
import { unauthenticated } from "../graphql/auth-errors.ts";
import type { SecurityQuestion } from "../generated/prisma/client.ts";
import { listSecurityQuestions } from "../security-questions/service.ts";
import { SIGNED_IN } from "../graphql/policies.ts";
import { noteRateLimit } from "../security/rate-limit-plugin.ts";
import { answersFromArgs, SecurityAnswerInput } from "../security-questions/schema.ts";
import { setMySecurityAnswers, verifySecurityAnswers } from "./security-answers.ts";

// The customer's security answers: set them signed in, or recover the account with them (public,
// `X-Tenant: <slug>`): the answers buy a password-reset token for resetPassword.

const VerifySecurityAnswersPayload = builder.objectRef<{ token: string; expiresAt: Date }>("VerifySecurityAnswersPayload").implement({
  fields: (t) => ({
    passwordResetToken: t.string({ description: "Single-use: pass it to resetPassword within the hour.", resolve: (p) => p.token }),
    expiresAt: t.field({ type: "DateTime", resolve: (p) => p.expiresAt }),
  }),
});

const RecoveryQuestion = builder.objectRef<SecurityQuestion>("RecoveryQuestion").implement({
  // Public, like the question sheet of a recovery page: any caller that names a tenant (X-Tenant or a credential).
  authScopes: (_question, ctx) => ctx.admin !== null || ctx.customer !== null || ctx.tenantSlug !== null,
  description: "An active security question of the tenant, as a recovery page shows it (no customer data).",
  fields: (t) => ({
    id: t.id({ description: "The SecurityQuestion global ID to answer with.", resolve: (q) => encodeGlobalID("SecurityQuestion", q.id) }),
    text: t.exposeString("text"),
  }),
});

builder.queryFields((t) => ({
  recoveryQuestions: t.field({
    type: [RecoveryQuestion],
    description:
      "Public (send `X-Tenant: <slug>`): the tenant's active security questions, for a recovery page. The same list for " +
      "everyone: it never says which questions a customer answered.",
    resolve: async (_root, _args, ctx) => {
      // Without any credential the tenant must be named; refusing here keeps anonymous callers' answer a refusal.
      if (!ctx.admin && !ctx.customer && !ctx.tenantSlug) throw unauthenticated("Send X-Tenant: <slug> (or a credential)");
      return listSecurityQuestions(ctx.admin ? adminService(ctx) : await publicService(ctx));
    },
  }),
}));

builder.mutationFields((t) => ({
  setMySecurityAnswers: t.field({
    type: CustomerRef,
    authScopes: SIGNED_IN,
    errors: { types: [AuthenticationError, RateLimitedError], dataField: { name: "customer" } },
    description:
      "Signed-in customer: replaces their security answers. currentPassword is required when a password is set (a wrong one " +
      "answers INVALID_CREDENTIALS and counts like a failed sign-in). Refused under impersonation (INVALID_STATE).",
    args: {
      answers: t.arg({ type: [SecurityAnswerInput], required: true }),
      currentPassword: t.arg.string(),
    },
    resolve: (_root, args, ctx) =>
      noteRateLimit(ctx, () =>
        setMySecurityAnswers(customerService(ctx), ctx.auth, {
          answers: answersFromArgs(args.answers),
          currentPassword: args.currentPassword,
        }),
      ),
  }),
  verifySecurityAnswers: t.field({
    type: VerifySecurityAnswersPayload,
    errors: { types: [AuthenticationError, RateLimitedError], directResult: true },
    description:
      "Customer (send `X-Tenant: <slug>`): account recovery by security answers. Answer every question you answered; on success " +
      "a password-reset token for resetPassword. Every failure answers INVALID_CREDENTIALS and counts toward the sign-in throttle " +
      "and lock (RATE_LIMITED with retryAfter).",
    args: {
      identifier: t.arg.string({ required: true, description: "Email, phone (E.164) or username." }),
      answers: t.arg({ type: [SecurityAnswerInput], required: true }),
    },
    resolve: (_root, args, ctx) =>
      noteRateLimit(ctx, async () =>
        verifySecurityAnswers(await publicService(ctx), ctx.auth, { identifier: args.identifier, answers: answersFromArgs(args.answers) }),
      ),
  }),
}));
