import { builder } from "../graphql/builder.ts";
import { customerIdArg, mutationResult } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { customerLocalId } from "../graphql/ids.ts";
import { CUSTOMERS_WRITE } from "../graphql/policies.ts";
import { issueEmailVerificationToken, issuePasswordResetToken, type IssuedToken } from "./one-time-tokens.ts";
import { setPassword } from "./passwords.ts";
import { CustomerRef } from "./schema.ts";
import { NotifyInput, notifyRequest } from "../notifications/applications.schema.ts";

// Admin: a customer's password and the single-use tokens the tenant's own mailer sends. The
// customer-facing side (changePassword, resetPassword, verifyEmail) is in account/.

const IssuedTokenRef = builder.objectRef<IssuedToken>("IssuedOneTimeToken").implement({
  authScopes: CUSTOMERS_WRITE,
  description: "A single-use token for the tenant's own mailer to send. Stored only as a hash: shown only this once.",
  fields: (t) => ({
    token: t.exposeString("token", {
      nullable: true,
      description: "32 random bytes, base64url. Null when `notify` sent it to the customer: then it exists only in that message.",
    }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
    customer: t.field({ type: CustomerRef, resolve: (i) => i.customer }),
  }),
});

const returnsIssuedToken = mutationResult(IssuedTokenRef, "issued", CUSTOMERS_WRITE);

builder.mutationFields((t) => ({
  setPassword: t.field({
    ...mutationResult(CustomerRef, "customer", CUSTOMERS_WRITE),
    description: "Admin: sets a customer's password (8 to 128 characters). Signs the customer out everywhere and invalidates reset tokens.",
    args: { ...customerIdArg, password: t.arg.string({ required: true }), notify: t.arg({ type: NotifyInput }) },
    resolve: (_root, args, ctx) =>
      setPassword(adminService(ctx), ctx.auth, customerLocalId(args.customerId), args.password, notifyRequest(args.notify)),
  }),
  issueEmailVerificationToken: t.field({
    ...returnsIssuedToken,
    description: "Admin: a token (valid 24 hours) that verifies one of the customer's emails — the given one, or the primary.",
    args: { ...customerIdArg, email: t.arg.string() },
    resolve: (_root, args, ctx) => issueEmailVerificationToken(adminService(ctx), customerLocalId(args.customerId), args.email),
  }),
  issuePasswordResetToken: t.field({
    ...returnsIssuedToken,
    description:
      "Admin: a password-reset token (valid 1 hour) for the customer. With notify, it is sent to the customer (the application's " +
      "passwordResetUrl with ?token=) and not answered here.",
    args: { ...customerIdArg, notify: t.arg({ type: NotifyInput }) },
    resolve: (_root, args, ctx) => issuePasswordResetToken(adminService(ctx), customerLocalId(args.customerId), notifyRequest(args.notify)),
  }),
}));
