import { CustomerRef } from "../customers/schema.ts";
import { AuthenticationError, RateLimitedError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { customerService, publicService } from "../graphql/context.ts";
import { SIGNED_IN } from "../graphql/policies.ts";
import { noteRateLimit } from "../security/rate-limit-plugin.ts";
import { changePassword } from "./passwords.ts";
import { forgotPassword, resetPassword, verifyEmail } from "./recovery.ts";

// A customer's own password and email: change it signed in, or recover it with a single-use token
// (send `X-Tenant: <slug>`). Every attempt is rate-limited; failures answer RATE_LIMITED or
// INVALID_CREDENTIALS / INVALID_TOKEN, never who exists.

builder.mutationFields((t) => ({
  changePassword: t.field({
    type: CustomerRef,
    authScopes: SIGNED_IN,
    errors: { types: [AuthenticationError, RateLimitedError], dataField: { name: "customer" } },
    description:
      "Signed-in customer: changes their password (8 to 128 characters, no composition rules). " +
      "Every other session is signed out; this one stays. A wrong current password answers INVALID_CREDENTIALS " +
      "and counts toward the sign-in throttle (RATE_LIMITED with retryAfter).",
    args: { currentPassword: t.arg.string({ required: true }), newPassword: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => noteRateLimit(ctx, () => changePassword(customerService(ctx), ctx.auth, args)),
  }),
  verifyEmail: t.field({
    type: "String",
    errors: { types: [AuthenticationError, RateLimitedError], dataField: { name: "email" } },
    description: "Customer (send `X-Tenant: <slug>`): spends an email-verification token; answers the email it verified.",
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      noteRateLimit(ctx, async () => (await verifyEmail(await publicService(ctx), ctx.auth, args.token)).email),
  }),
  resetPassword: t.field({
    type: "Boolean",
    errors: { types: [AuthenticationError, RateLimitedError], dataField: { name: "passwordReset" } },
    description:
      "Customer (send `X-Tenant: <slug>`): sets a new password (8 to 128 characters) with a reset token. " +
      "Signs the customer out everywhere; sign in again afterwards.",
    args: { token: t.arg.string({ required: true }), newPassword: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      noteRateLimit(ctx, async () => {
        await resetPassword(await publicService(ctx), ctx.auth, args.token, args.newPassword);
        return true;
      }),
  }),
  forgotPassword: t.field({
    type: "Boolean",
    errors: { types: [RateLimitedError], dataField: { name: "accepted" } },
    description:
      "Customer (send `X-Tenant: <slug>`): asks for a password reset. Answers the same whether or not the identifier exists; " +
      "the tenant's notifier picks up the customer.password_reset_requested audit event.",
    args: { identifier: t.arg.string({ required: true, description: "Email, phone (E.164) or username." }) },
    resolve: (_root, args, ctx) =>
      noteRateLimit(ctx, async () => {
        await forgotPassword(await publicService(ctx), ctx.auth, args.identifier);
        return true;
      }),
  }),
}));
