import type { Customer } from "../generated/prisma/client.ts";
import { CustomerRef } from "../customers/types.ts";
import { builder } from "../graphql/builder.ts";
import { adminService } from "../graphql/context.ts";
import { localId } from "../graphql/ids.ts";
import { revokeAllSessions, revokeSession } from "./service.ts";
import { SessionRef } from "./types.ts";

const writeScope = { adminScope: "CUSTOMERS_WRITE" } as const;

const RevokeAllSessionsPayload = builder.objectRef<{ customer: Customer; revokedCount: number }>("RevokeAllSessionsPayload").implement({
  fields: (t) => ({
    customer: t.field({ type: CustomerRef, resolve: (p) => p.customer }),
    revokedCount: t.exposeInt("revokedCount", { description: "Sessions this call ended; 0 when none was active." }),
  }),
});

builder.mutationFields((t) => ({
  revokeSession: t.field({
    type: SessionRef,
    authScopes: writeScope,
    description: "Signs one session out. A session that already ended is returned unchanged.",
    errors: { dataField: { name: "session" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => revokeSession(adminService(ctx), localId(id, "Session", "SESSION_NOT_FOUND")),
  }),
  revokeAllSessions: t.field({
    type: RevokeAllSessionsPayload,
    authScopes: writeScope,
    description: "Signs a customer out everywhere: revokes every active session.",
    errors: { directResult: true },
    args: { customerId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const { customer, sessionIds } = await revokeAllSessions(
        adminService(ctx),
        localId(args.customerId, "Customer", "CUSTOMER_NOT_FOUND"),
      );
      return { customer, revokedCount: sessionIds.length };
    },
  }),
}));
