import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "../graphql/builder.ts";
import { customerIdArg, mutationResult } from "../graphql/common.ts";
import { adminService, customerService } from "../graphql/context.ts";
import { customerLocalId, localIdOrNull } from "../graphql/ids.ts";
import { CUSTOMERS_IMPERSONATE, SIGNED_IN } from "../graphql/policies.ts";
import { currentImpersonation, impersonateCustomer, MAX_IMPERSONATION_SECONDS, revokeImpersonation } from "./service.ts";

// Audited impersonation: CUSTOMERS_IMPERSONATE mints a short-lived customer access token; the
// customer-side view (`me.impersonatedBy`) tells the holder of such a token who they act for.

interface Token {
  sessionId: string;
  accessToken: string;
  expiresAt: Date;
}

const ImpersonationTokenRef = builder.objectRef<Token>("ImpersonationToken").implement({
  authScopes: CUSTOMERS_IMPERSONATE,
  description: "A customer access token for support staff. No refresh token: sign in as the customer again by impersonating again.",
  fields: (t) => ({
    sessionId: t.id({
      description: "The impersonation session (pass it to revokeImpersonation).",
      resolve: (x) => encodeGlobalID("Session", x.sessionId),
    }),
    accessToken: t.exposeString("accessToken", {
      description: "Authorization: Bearer. Its `act` claim names the admin credential (RFC 8693: act.sub = credential id).",
    }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
  }),
});

const ImpersonatorRef = builder
  .objectRef<{ credentialId: string; name: string; reason: string; expiresAt: Date }>("Impersonator")
  .implement({
    authScopes: SIGNED_IN,
    description: "The admin acting as this customer in the current session.",
    fields: (t) => ({
      credentialId: t.exposeID("credentialId", { description: "Row id of the admin credential." }),
      name: t.exposeString("name", { description: "The credential's name now." }),
      reason: t.exposeString("reason"),
      expiresAt: t.expose("expiresAt", { type: "DateTime" }),
    }),
  });

builder.prismaObjectFields("Customer", (t) => ({
  impersonatedBy: t.field({
    type: ImpersonatorRef,
    nullable: true,
    authScopes: SIGNED_IN,
    description: "me: the admin acting as you when this access token came from impersonateCustomer; null otherwise.",
    resolve: (customer, _args, ctx) => {
      const me = ctx.customer;
      if (!me?.impersonatorId || me.customerId !== customer.id) return null;
      return currentImpersonation(customerService(ctx), me.sessionId);
    },
  }),
}));

builder.prismaObjectFields("Session", (t) => ({
  impersonatorId: t.exposeString("impersonatorId", {
    nullable: true,
    description: "The admin credential that started this session with impersonateCustomer; null for the customer's own sessions.",
  }),
  impersonationReason: t.exposeString("impersonationReason", { nullable: true }),
}));

builder.mutationFields((t) => ({
  impersonateCustomer: t.field({
    ...mutationResult(ImpersonationTokenRef, "impersonation", CUSTOMERS_IMPERSONATE),
    description:
      "Acts as the customer for a few minutes: a customer access token (no refresh token) on a session marked with your " +
      "credential and reason. Every audit event under it names you as impersonator. Blocked or disabled customers: " +
      "CUSTOMER_NOT_ACTIVE. Records customer.impersonation_started.",
    args: {
      ...customerIdArg,
      reason: t.arg.string({ required: true, description: "Why (a ticket number, the customer's request); 1 to 500 characters." }),
      ttlSeconds: t.arg.int({ description: `60 to ${MAX_IMPERSONATION_SECONDS}; default 600.` }),
    },
    resolve: async (_root, args, ctx) => {
      const started = await impersonateCustomer(adminService(ctx), ctx.auth, customerLocalId(args.customerId), args);
      return { sessionId: started.session.id, accessToken: started.accessToken, expiresAt: started.expiresAt };
    },
  }),
  revokeImpersonation: t.field({
    ...mutationResult("ID", "revokedSessionId", CUSTOMERS_IMPERSONATE),
    description: "Ends an impersonation session now: its token stops working at once. Records customer.impersonation_ended.",
    args: { sessionId: t.arg.id({ required: true }) },
    resolve: async (_root, { sessionId }, ctx) => {
      const session = await revokeImpersonation(adminService(ctx), localIdOrNull(sessionId, "Session") ?? "");
      return encodeGlobalID("Session", session.id);
    },
  }),
}));
