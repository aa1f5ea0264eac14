import type { Customer } from "../generated/prisma/client.ts";
import { builder } from "../graphql/builder.ts";
import { customerIdArg } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { customerLocalId } from "../graphql/ids.ts";
import { CUSTOMERS_WRITE } from "../graphql/policies.ts";
import { customerAccount } from "../security/throttle.ts";
import { revokeAllSessions } from "../sessions/service.ts";
import { CustomerRef, returnsCustomer } from "./schema.ts";
import { blockCustomer, disableCustomer, enableCustomer, unblockCustomer } from "./status.ts";

// Admin: whether a customer may sign in (block, disable) and signing them out everywhere.

const RevokeAllSessionsPayload = builder.objectRef<{ customer: Customer; revokedCount: number }>("RevokeAllSessionsPayload").implement({
  fields: (t) => ({
    customer: t.field({ type: CustomerRef, resolve: (p) => p.customer }),
    revokedCount: t.exposeInt("revokedCount", { description: "Sessions this call ended; 0 when none was active." }),
  }),
});

builder.mutationFields((t) => ({
  blockCustomer: t.field({
    ...returnsCustomer,
    args: {
      id: t.arg.id({ required: true }),
      reason: t.arg.string({ required: true }),
      until: t.arg({ type: "DateTime", description: "Absent: blocked until unblocked." }),
    },
    resolve: (_root, { id, reason, until }, ctx) => blockCustomer(adminService(ctx), customerLocalId(id), { reason, until }),
  }),
  unblockCustomer: t.field({
    ...returnsCustomer,
    description: "Lifts a block and the sign-in hard lock, and forgets failed sign-ins (the account-wide throttle included).",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const customer = await unblockCustomer(adminService(ctx), customerLocalId(id));
      await ctx.auth.throttle.forget(customerAccount(customer.id));
      return customer;
    },
  }),
  disableCustomer: t.field({
    ...returnsCustomer,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => disableCustomer(adminService(ctx), customerLocalId(id)),
  }),
  enableCustomer: t.field({
    ...returnsCustomer,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => enableCustomer(adminService(ctx), customerLocalId(id)),
  }),
  revokeAllSessions: t.field({
    type: RevokeAllSessionsPayload,
    authScopes: CUSTOMERS_WRITE,
    description: "Signs a customer out everywhere: revokes every active session.",
    errors: { directResult: true },
    args: { ...customerIdArg },
    resolve: async (_root, args, ctx) => {
      const { customer, sessionIds } = await revokeAllSessions(adminService(ctx), customerLocalId(args.customerId));
      return { customer, revokedCount: sessionIds.length };
    },
  }),
}));
