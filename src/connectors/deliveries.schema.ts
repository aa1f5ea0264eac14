import { encodeGlobalID } from "@pothos/plugin-relay";
import { CustomerRef } from "../customers/schema.ts";
import { loadCustomersOrNull } from "../customers/search.schema.ts";
import { DeliveryStatus } from "../generated/prisma/enums.ts";
import { builder } from "../graphql/builder.ts";
import { mutationResult } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { adminOnlyNode } from "../graphql/nodes.ts";
import { CONNECTOR_DATA, CONNECTORS_MANAGE, CUSTOMERS_READ } from "../graphql/policies.ts";
import { NIL_UUID } from "../ids.ts";
import { deliveryWhere, replayDelivery, testConnector } from "./deliveries.ts";

// The delivery log of an outflow connector (read with CONNECTORS_READ; the payload and the
// customer, which are customer data, also need CUSTOMERS_READ), replay and test (CONNECTORS_MANAGE).

const DeliveryStatusEnum = builder.enumType(DeliveryStatus, { name: "DeliveryStatus" });

builder.prismaObject("DeliveryAttempt", {
  authScopes: CONNECTOR_DATA,
  description: "One HTTP attempt of a delivery.",
  fields: (t) => ({
    number: t.exposeInt("number", { description: "1 for the first attempt (a replay counts from 1 again)." }),
    startedAt: t.expose("startedAt", { type: "DateTime" }),
    durationMs: t.exposeInt("durationMs"),
    statusCode: t.exposeInt("statusCode", { nullable: true, description: "Null when no response came (timeout, refused connection)." }),
    error: t.exposeString("error", { nullable: true }),
    responseExcerpt: t.exposeString("responseExcerpt", { nullable: true, description: "The first bytes of the response body." }),
  }),
});

export const ConnectorDeliveryRef = builder.prismaNode("ConnectorDelivery", {
  ...adminOnlyNode(CONNECTOR_DATA),
  description: "One event queued for an outflow connector, in the transaction that recorded the event. Its id is the webhook-id.",
  fields: (t) => ({
    connector: t.relation("connector"),
    status: t.expose("status", { type: DeliveryStatusEnum }),
    eventType: t.exposeString("eventType", { description: "connector.test for a testConnector sample." }),
    eventId: t.id({
      nullable: true,
      description: "Global ID of the AuditEvent delivered; null for a test.",
      resolve: (d) => (d.eventId ? encodeGlobalID("AuditEvent", d.eventId) : null),
    }),
    eventSeq: t.field({ type: "SafeInt", description: "The event's sequence number (0 for a test).", resolve: (d) => Number(d.eventSeq) }),
    customerId: t.id({
      nullable: true,
      description: "Global ID of the customer the event concerns.",
      resolve: (d) => (d.customerId ? encodeGlobalID("Customer", d.customerId) : null),
    }),
    customer: t.loadable({
      type: CustomerRef,
      nullable: true,
      authScopes: CUSTOMERS_READ,
      description: "The customer the event concerns, if it still exists.",
      load: loadCustomersOrNull,
      resolve: (d) => d.customerId,
    }),
    attempts: t.exposeInt("attempts", { description: "Attempts made so far." }),
    nextAttemptAt: t.expose("nextAttemptAt", { type: "DateTime", description: "PENDING: when the next attempt is due." }),
    lastStatusCode: t.exposeInt("lastStatusCode", { nullable: true }),
    lastError: t.exposeString("lastError", { nullable: true }),
    deliveredAt: t.expose("deliveredAt", { type: "DateTime", nullable: true }),
    test: t.exposeBoolean("test", { description: "A testConnector sample." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    payload: t.field({
      type: "JSON",
      nullable: true,
      authScopes: CUSTOMERS_READ,
      description: "The request body as sent (built at the first attempt); it carries customer data, hence CUSTOMERS_READ.",
      resolve: (d) => d.payload,
    }),
    attemptLog: t.relation("attemptLog", { query: { orderBy: [{ startedAt: "asc" }, { number: "asc" }] } }),
  }),
});

builder.prismaObjectField("Connector", "deliveries", (t) =>
  t.relatedConnection("deliveries", {
    cursor: "id",
    description: "The delivery log, newest first (keyset on created_at, id).",
    args: {
      status: t.arg({ type: DeliveryStatusEnum }),
      eventType: t.arg.string({ description: "An exact type or a prefix wildcard such as customer.*." }),
      customerId: t.arg.id({ description: "Deliveries about this customer (a Customer global ID)." }),
      createdAfter: t.arg({ type: "DateTime", description: "Created at or after this instant." }),
      createdBefore: t.arg({ type: "DateTime", description: "Created strictly before this instant." }),
    },
    query: (args) => ({
      where: deliveryWhere({
        ...args,
        customerId: args.customerId == null ? null : (localIdOrNull(args.customerId, "Customer") ?? NIL_UUID),
      }),
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    }),
  }),
);

const returnsDelivery = mutationResult(ConnectorDeliveryRef, "delivery", CONNECTORS_MANAGE);

builder.mutationFields((t) => ({
  replayDelivery: t.field({
    ...returnsDelivery,
    description:
      "Sends a FAILED or DELIVERED delivery again with the same body and webhook-id: PENDING, attempts from 0, due now. " +
      "Records connector.delivery_replayed.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => replayDelivery(adminService(ctx), localIdOrNull(id, "ConnectorDelivery") ?? ""),
  }),
  testConnector: t.field({
    ...returnsDelivery,
    description:
      "Sends a sample event (test: true, eventType connector.test), also while the connector is inactive, and answers the delivery " +
      "once its first attempt is done — or still PENDING after the connector's timeout plus 2 s. Records connector.tested.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => testConnector(adminService(ctx), localIdOrNull(id, "Connector") ?? ""),
  }),
}));
