import { CustomerRef } from "../customers/types.ts";
import { AuthenticationError, RateLimitedError } from "../errors.ts";
import { noteRateLimit } from "../security/rate-limit-plugin.ts";
import { builder } from "../graphql/builder.ts";
import { adminService, publicService } from "../graphql/context.ts";
import { localId } from "../graphql/ids.ts";
import {
  forgotPassword,
  issueEmailVerificationToken,
  issuePasswordResetToken,
  resetPassword,
  verifyEmail,
  type IssuedToken,
} from "./service.ts";

const IssuedTokenRef = builder.objectRef<IssuedToken>("IssuedOneTimeToken").implement({
  authScopes: { adminScope: "CUSTOMERS_WRITE" },
  description: "A single-use token for the tenant's own mailer to send. Stored only as a hash: shown only this once.",
  fields: (t) => ({
    token: t.exposeString("token", { description: "32 random bytes, base64url." }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
    customer: t.field({ type: CustomerRef, resolve: (i) => i.customer }),
  }),
});

const writeScope = { adminScope: "CUSTOMERS_WRITE" } as const;
const customerId = (id: string) => localId(id, "Customer", "CUSTOMER_NOT_FOUND");

builder.mutationFields((t) => ({
  issueEmailVerificationToken: t.field({
    type: IssuedTokenRef,
    authScopes: writeScope,
    errors: { dataField: { name: "issued" } },
    description: "Admin: a token (valid 24 hours) that verifies one of the customer's emails — the given one, or the primary.",
    args: { customerId: t.arg.id({ required: true }), email: t.arg.string() },
    resolve: (_root, args, ctx) => issueEmailVerificationToken(adminService(ctx), customerId(args.customerId), args.email),
  }),
  issuePasswordResetToken: t.field({
    type: IssuedTokenRef,
    authScopes: writeScope,
    errors: { dataField: { name: "issued" } },
    description: "Admin: a password-reset token (valid 1 hour) for the customer.",
    args: { customerId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => issuePasswordResetToken(adminService(ctx), customerId(args.customerId)),
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
