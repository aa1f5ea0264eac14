import { builder } from "../graphql/builder.ts";
import { adminService } from "../graphql/context.ts";
import { SlowConsumerError } from "../errors.ts";
import type { AuditEvent } from "../generated/prisma/client.ts";
import { AuditEventFilter, AuditEventRef, auditFilterFromArgs } from "./schema.ts";
import { streamAuditEvents, type SlowConsumer } from "./stream.ts";

builder.subscriptionType({});

builder.subscriptionField("auditEvents", (t) =>
  t.field({
    type: AuditEventRef,
    authScopes: { adminScope: "AUDIT_READ" },
    description: [
      "The tenant's audit events as they commit. With `after` (an event's cursor), first replays",
      "every event after it in sequence order, then continues live: no gap, no duplicate. A subscriber",
      "that falls too far behind gets one error with code SLOW_CONSUMER and `resumeAfter`, then the",
      "stream completes; subscribe again with that cursor to continue without loss.",
    ].join(" "),
    args: {
      filter: t.arg({ type: AuditEventFilter }),
      after: t.arg.string({ description: "Cursor (sequence number) of the last event already seen." }),
    },
    subscribe: (_root, args, ctx) =>
      streamAuditEvents(adminService(ctx), {
        filter: auditFilterFromArgs(args.filter),
        after: args.after,
        maxBuffer: ctx.streamBuffer,
      }) as AsyncIterable<AuditEvent>,
    resolve: (event: AuditEvent | SlowConsumer) => {
      if ("slowConsumer" in event) throw new SlowConsumerError(event.resumeAfter);
      return event;
    },
  }),
);
