import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "../graphql/builder.ts";
import { adminService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { isUuid, NIL_UUID } from "../ids.ts";
import { CONNECTOR_DATA, CONNECTORS_READ } from "../graphql/policies.ts";
import { listInflowRequests, type FieldError } from "./inflow-log.ts";

// The inflow request log over GraphQL: the InflowRequest type and Query.inflowRequests(connectorId).
// Connector.inflowRequests (inflow-requests.schema.ts) pages through the same log with the same
// filter (inflowRequestQuery). Reading needs CONNECTORS_READ, on the type itself.

export const InflowOutcomeEnum = builder.enumType("InflowOutcome", {
  values: {
    APPLIED: { description: "The record was applied (created, updated, or matched and unchanged)." },
    DUPLICATE: { description: "The webhook-id was applied before: nothing changed, the earlier result was answered." },
    REJECTED: { description: "Refused (inactive, not JSON, too large, authentication, mapping or validation): nothing changed." },
  },
});

const InflowFieldError = builder.objectRef<FieldError>("InflowFieldError").implement({
  authScopes: CONNECTOR_DATA,
  description: "A field of the mapped customer record that was refused.",
  fields: (t) => ({
    path: t.exposeString("path", { description: "Path in the customer record (emails.0.value, customFields.plan), or `mapping`." }),
    message: t.exposeString("message"),
  }),
});

builder.prismaNode("InflowRequest", {
  nullable: true,
  id: { field: "id" },
  authScopes: CONNECTOR_DATA,
  // InflowRequest has no (id, tenant) unique key: the id plus the admin's tenant as a filter.
  findUnique: (id, ctx) => ({ id: isUuid(id) ? id : NIL_UUID, tenantId: ctx.admin?.tenantId ?? NIL_UUID }),
  description: "One post to an inflow connector's endpoint and what became of it.",
  fields: (t) => ({
    connectorId: t.id({ resolve: (r) => encodeGlobalID("Connector", r.connectorId) }),
    webhookId: t.exposeString("webhookId", { nullable: true, description: "The webhook-id header (idempotency key)." }),
    outcome: t.field({ type: InflowOutcomeEnum, resolve: (r) => r.outcome }),
    statusCode: t.exposeInt("statusCode", { description: "The HTTP status answered." }),
    error: t.exposeString("error", { nullable: true, description: "Why it was refused." }),
    fieldErrors: t.field({
      type: [InflowFieldError],
      description: "The refused fields of a record that failed validation (empty otherwise).",
      resolve: (r) => (r.fieldErrors as FieldError[] | null) ?? [],
    }),
    customerId: t.id({
      nullable: true,
      description: "The customer created or updated (a DUPLICATE names the one its first request applied to).",
      resolve: (r) => (r.customerId ? encodeGlobalID("Customer", r.customerId) : null),
    }),
    created: t.exposeBoolean("created", { description: "Whether the request created the customer." }),
    durationMs: t.exposeInt("durationMs"),
    receivedAt: t.expose("receivedAt", { type: "DateTime" }),
  }),
});

/** The log's filter, on both connections to it. */
export const inflowRequestFilterArgs = builder.args((t) => ({
  outcome: t.field({ type: InflowOutcomeEnum }),
  receivedAfter: t.field({ type: "DateTime", description: "Only requests received after this instant." }),
  receivedBefore: t.field({ type: "DateTime", description: "Only requests received before this instant." }),
}));

builder.queryFields((t) => ({
  inflowRequests: t.prismaConnection(
    {
      type: "InflowRequest",
      cursor: "id",
      authScopes: CONNECTORS_READ,
      description: "The requests an inflow connector of the tenant received, newest first (an unknown connector: none).",
      args: {
        connectorId: t.arg.id({ required: true }),
        ...inflowRequestFilterArgs,
      },
      resolve: (query, _root, args, ctx) =>
        listInflowRequests(adminService(ctx), localIdOrNull(args.connectorId, "Connector") ?? "", args, query),
    },
    { name: "InflowRequestConnection" },
  ),
}));
