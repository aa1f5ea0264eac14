import { CustomerRef } from "../customers/schema.ts";
import { loadCustomersOrNull } from "../customers/search.schema.ts";
import { SlowConsumerError } from "../errors.ts";
import type { AuditEvent } from "../generated/prisma/client.ts";
import { ActorKind } from "../generated/prisma/enums.ts";
import { builder } from "../graphql/builder.ts";
import { adminOnlyNode } from "../graphql/nodes.ts";
import { assertForwardOnly, SortDirection, TimeRange } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { ADMIN_DATA, AUDIT_DATA } from "../graphql/policies.ts";
import { AUDIT_EVENT_TYPES } from "../events/types.ts";
import type { SharedExecution } from "../graphql/shared-subscriptions.ts";
import { NIL_UUID } from "../ids.ts";
import { unsealAuditData } from "../pii/audit-seal.ts";
import { ERASED } from "../pii/seal.ts";
import { listAuditEvents, type AuditFilter } from "./query.ts";
import { loadTeamMembers, TeamMemberRef } from "./team-member.schema.ts";
import { streamAuditEvents, type SlowConsumer } from "./stream.ts";
import { encodeGlobalID } from "@pothos/plugin-relay";

const ActorKindEnum = builder.enumType(ActorKind, { name: "ActorKind" });

const Actor = builder.objectRef<{ kind: ActorKind; id: string | null }>("Actor").implement({
  authScopes: AUDIT_DATA,
  description: "Who did it: an admin credential, the customer themself, or the gateway (SYSTEM).",
  fields: (t) => ({
    kind: t.field({ type: ActorKindEnum, resolve: (a) => a.kind }),
    id: t.exposeString("id", { nullable: true, description: "Admin credential id or customer id." }),
  }),
});

export const AuditEventRef = builder.prismaNode("AuditEvent", {
  ...adminOnlyNode(AUDIT_DATA),
  fields: (t) => ({
    sequence: t.field({
      type: "SafeInt",
      description: "Strictly increasing per tenant; also the cursor to resume after.",
      resolve: (e) => Number(e.seq),
    }),
    cursor: t.string({ description: "Pass as `after` to continue after this event.", resolve: (e) => e.seq.toString() }),
    type: t.exposeString("type", { description: "Dotted, e.g. customer.created, consent.revoked." }),
    actor: t.field({ type: Actor, resolve: (e) => ({ kind: e.actorKind, id: e.actorId }) }),
    impersonatorId: t.exposeString("impersonatorId", {
      nullable: true,
      description: "The admin credential that acted as the customer (impersonateCustomer), else null; actor is then the customer.",
    }),
    customerId: t.id({
      nullable: true,
      description: "Global ID of the customer acted on; stays readable after the customer is deleted.",
      resolve: (e) => (e.customerId ? encodeGlobalID("Customer", e.customerId) : null),
    }),
    customer: t.loadable({
      type: CustomerRef,
      nullable: true,
      description: "The customer acted on, if it still exists.",
      load: loadCustomersOrNull,
      resolve: (e) => e.customerId,
    }),
    teamMember: t.loadable({
      type: TeamMemberRef,
      nullable: true,
      description: "The team member who acted in the admin console (actor is then their session's credential), else null.",
      load: (ids: string[], ctx) => loadTeamMembers(ctx.db, ids),
      resolve: (e) => e.teamMemberId,
    }),
    ip: t.exposeString("ip", { nullable: true }),
    userAgent: t.exposeString("userAgent", { nullable: true }),
    requestId: t.exposeString("requestId", { nullable: true }),
    data: t.loadable({
      type: "JSONObject",
      description: [
        "Event details; updates carry `changes: {field: {from, to}}`. Personal data is stored sealed with the",
        `customer's key and shown opened; once the customer is erased (or deleted) it reads "${ERASED}".`,
      ].join(" "),
      // One key lookup for every event of the response (src/pii/audit-seal.ts).
      load: async (events: AuditEvent[], ctx) => (await unsealAuditData(ctx.db, events)).map((e) => e.data as Record<string, unknown>),
      loaderOptions: { cacheKeyFn: (e: AuditEvent) => e.id },
      resolve: (e) => e,
    }),
    occurredAt: t.expose("occurredAt", { type: "DateTime" }),
  }),
});

const AuditEventFilter = builder.inputType("AuditEventFilter", {
  description: "Every given criterion must hold (AND).",
  fields: (t) => ({
    types: t.stringList({ description: "Any of these types; `customer.*` matches every customer event." }),
    customerId: t.id({ description: "Events about this customer (also after it was deleted)." }),
    actorKind: t.field({ type: ActorKindEnum }),
    actorId: t.string(),
    teamActions: t.boolean({ description: "Only what team members did in the admin console: the team audit log." }),
    teamMemberId: t.string({ description: "Only this team member's console actions (TeamMember.id)." }),
    occurredAt: t.field({ type: TimeRange }),
  }),
});

/** Turns the GraphQL filter (global customer id) into the service filter (row id). */
function auditFilterFromArgs(filter: typeof AuditEventFilter.$inferInput | null | undefined): AuditFilter {
  if (!filter) return {};
  const customerId = filter.customerId == null ? null : (localIdOrNull(String(filter.customerId), "Customer") ?? NIL_UUID);
  const { occurredAt, ...rest } = filter;
  return { ...rest, customerId, from: occurredAt?.from, to: occurredAt?.to };
}

builder.queryField("auditEvents", (t) =>
  t.connection(
    {
      type: AuditEventRef,
      authScopes: AUDIT_DATA,
      description: "The tenant's audit trail, newest first unless direction is ASC. Cursors are sequence numbers.",
      args: {
        filter: t.arg({ type: AuditEventFilter }),
        direction: t.arg({ type: SortDirection, defaultValue: "DESC", required: true }),
      },
      resolve: async (_root, args, ctx) => {
        assertForwardOnly(args);
        const page = await listAuditEvents(adminService(ctx), {
          filter: auditFilterFromArgs(args.filter),
          first: args.first ?? 50,
          after: args.after,
          direction: args.direction,
        });
        const edges = page.events.map((node) => ({ cursor: node.seq.toString(), node }));
        return {
          edges,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: false,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    },
    { name: "AuditEventConnection" },
  ),
);

// A list of objects rather than an enum: types are dotted strings (`customer.created`), which GraphQL
// enum values cannot spell, and connectors also take wildcards (`customer.*`) an enum cannot hold.
const AuditEventTypeInfo = builder.objectRef<{ name: string; description: string }>("AuditEventTypeInfo").implement({
  authScopes: ADMIN_DATA,
  description: "An audit event type: what AuditEvent.type holds and what a connector's `events` may name.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Dotted, e.g. customer.created." }),
    description: t.exposeString("description"),
  }),
});

builder.queryField("auditEventTypes", (t) =>
  t.field({
    type: [AuditEventTypeInfo],
    authScopes: ADMIN_DATA,
    description: "Every audit event type the gateway records, grouped by domain: the triggers a connector can listen to.",
    resolve: () => Object.entries(AUDIT_EVENT_TYPES).map(([name, description]) => ({ name, description })),
  }),
);

builder.subscriptionType({});

builder.subscriptionField("auditEvents", (t) =>
  t.field({
    type: AuditEventRef,
    authScopes: AUDIT_DATA,
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
    // A live event is executed once for all subscribers with the same selection, filter and
    // scopes (graphql/shared-subscriptions.ts); `after` only says where one subscriber starts.
    extensions: { sharedExecution: { perSubscriberArgs: ["after"] } satisfies SharedExecution },
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
