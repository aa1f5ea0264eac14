import { ConnectorDirection, InflowAuth, RetryBackoff } from "../generated/prisma/enums.ts";
import { builder } from "../graphql/builder.ts";
import { answeringId, mutationResult } from "../graphql/common.ts";
import { adminService, type GraphQLContext } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { adminOnlyNode } from "../graphql/nodes.ts";
import { CONNECTOR_DATA, CONNECTORS_MANAGE } from "../graphql/policies.ts";
import {
  activateConnector,
  createConnector,
  deactivateConnector,
  deleteConnector,
  findConnector,
  listConnectors,
  rotateConnectorSecret,
  secretPreview,
  updateConnector,
  type ConnectorOptions,
  type IssuedConnectorSecret,
} from "./service.ts";

// Cloud connectors, admin side: read with CONNECTORS_READ, changed with CONNECTORS_MANAGE. The
// delivery log, replay and test are in deliveries.schema.ts; inflow requests in inflow's own file
// (Connector.inflowRequests, added with builder.prismaObjectField).

const ConnectorDirectionEnum = builder.enumType(ConnectorDirection, { name: "ConnectorDirection" });
const RetryBackoffEnum = builder.enumType(RetryBackoff, { name: "RetryBackoff" });
const InflowAuthEnum = builder.enumType(InflowAuth, { name: "InflowAuth" });

export const ConnectorRef = builder.prismaNode("Connector", {
  ...adminOnlyNode(CONNECTOR_DATA),
  description:
    "A cloud connector. OUTFLOW: sends the audit events it listens to (and the customer they concern) to a URL, signed per " +
    "Standard Webhooks. INFLOW: receives a third party's posts at POST /connectors/inflow/<id> and applies them to customers.",
  fields: (t) => ({
    direction: t.expose("direction", { type: ConnectorDirectionEnum }),
    name: t.exposeString("name"),
    active: t.exposeBoolean("active", {
      description: "Inactive OUTFLOW connectors queue no deliveries; inactive INFLOW ones refuse posts.",
    }),
    url: t.exposeString("url", { nullable: true, description: "OUTFLOW: where deliveries are POSTed." }),
    events: t.exposeStringList("events", { description: "OUTFLOW: event types listened to, exact or wildcard (customer.*, *)." }),
    rule: t.exposeString("rule", { nullable: true, description: "OUTFLOW: JSONata; only send when it holds." }),
    mapping: t.exposeString("mapping", {
      nullable: true,
      description: "JSONata. OUTFLOW: input → request body (default: the whole input). INFLOW: posted body → customer record.",
    }),
    preEvent: t.exposeString("preEvent", { nullable: true, description: "OUTFLOW: JSONata; input → input, before rule and mapping." }),
    postEvent: t.exposeString("postEvent", {
      nullable: true,
      description: "OUTFLOW: JSONata on {response, event, customer} → changes written back to the customer (audited, actor CONNECTOR).",
    }),
    headerNames: t.stringList({
      description: "OUTFLOW: the extra request headers. Their values are never readable (they often hold the receiver's credentials).",
      resolve: (c) => Object.keys(c.headers as object),
    }),
    retryIntervalMs: t.exposeInt("retryIntervalMs", { description: "Wait before a retry (doubled each time with EXPONENTIAL)." }),
    maxAttempts: t.exposeInt("maxAttempts", { description: "Attempts before a delivery is FAILED." }),
    backoff: t.expose("backoff", { type: RetryBackoffEnum }),
    timeoutMs: t.exposeInt("timeoutMs", { description: "Request timeout." }),
    disableAfterFailures: t.exposeInt("disableAfterFailures", {
      description: "Deactivated automatically after this many failed attempts in a row.",
    }),
    consecutiveFailures: t.exposeInt("consecutiveFailures"),
    deactivatedReason: t.exposeString("deactivatedReason", { nullable: true, description: "Why it was deactivated automatically." }),
    inflowAuth: t.field({ type: InflowAuthEnum, nullable: true, resolve: (c) => (c.direction === "INFLOW" ? c.inflowAuth : null) }),
    matchBy: t.exposeString("matchBy", { nullable: true, description: "INFLOW: uid, email or a custom-field key (an external id)." }),
    secretPreview: t.string({
      nullable: true,
      description: "whsec_… and the signing secret's last four characters. The secret itself is shown only by create and rotate.",
      resolve: (c, _args, ctx) => secretPreview(ctx.auth.keys.masterKey, c),
    }),
    previousSecretExpiresAt: t.expose("previousSecretExpiresAt", {
      type: "DateTime",
      nullable: true,
      description: "Until then the secret before the last rotation is still signed with and accepted.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

const IssuedConnectorSecretRef = builder.objectRef<IssuedConnectorSecret>("IssuedConnectorSecret").implement({
  authScopes: CONNECTORS_MANAGE,
  fields: (t) => ({
    connector: t.field({ type: ConnectorRef, resolve: (i) => i.connector }),
    secret: t.exposeString("secret", { description: "whsec_…: verify deliveries (or sign inflow posts) with it. Shown only this once." }),
  }),
});

builder.queryFields((t) => ({
  connector: t.prismaField({
    type: "Connector",
    nullable: true,
    authScopes: CONNECTOR_DATA,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = localIdOrNull(args.id, "Connector");
      return id ? findConnector(adminService(ctx), id, query) : null;
    },
  }),
  connectors: t.prismaConnection(
    {
      type: "Connector",
      cursor: "id",
      authScopes: CONNECTOR_DATA,
      description: "The tenant's connectors, newest first.",
      args: { direction: t.arg({ type: ConnectorDirectionEnum }), active: t.arg.boolean() },
      resolve: (query, _root, args, ctx) => listConnectors(adminService(ctx), query, args),
    },
    { name: "ConnectorConnection" },
  ),
}));

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
/** The configuration fields of both inputs (direction is chosen at creation and never changes). */
const configFields = (t: PothosSchemaTypes.InputFieldBuilder<Types, "InputObject">, required: boolean) => ({
  name: t.string({ required, description: "1 to 100 characters, unique within the tenant." }),
  url: t.string({ description: "OUTFLOW (required): https, or http to private addresses when the gateway allows them." }),
  events: t.stringList({ description: "OUTFLOW (at least one): event types (auditEventTypes) or wildcards such as customer.* or *." }),
  rule: t.string({ description: "OUTFLOW: JSONata on {event, customer}; the delivery is SKIPPED unless it holds." }),
  mapping: t.string({
    description: "JSONata. OUTFLOW: input → request body. INFLOW: posted body → customer record (none: the body is a record already).",
  }),
  preEvent: t.string({ description: "OUTFLOW: JSONata, input → input, before rule and mapping." }),
  postEvent: t.string({ description: "OUTFLOW: JSONata on {response, event, customer} → customer changes written back." }),
  headers: t.field({
    type: "JSONObject",
    description: "OUTFLOW: at most 20 extra headers, name → value (not Host, Content-*, Webhook-*…).",
  }),
  retryIntervalMs: t.int({ description: "OUTFLOW: default 30000; at least the gateway's minimum, at most one day." }),
  maxAttempts: t.int({ description: "OUTFLOW: 1 to 20, default 5." }),
  backoff: t.field({ type: RetryBackoffEnum, description: "OUTFLOW: default FIXED." }),
  timeoutMs: t.int({ description: "OUTFLOW: 100 to 30000, default 10000." }),
  disableAfterFailures: t.int({ description: "OUTFLOW: 1 to 10000, default 100." }),
  inflowAuth: t.field({ type: InflowAuthEnum, description: "INFLOW: default SIGNATURE." }),
  matchBy: t.string({ description: "INFLOW: uid, email (default) or the key of a custom field holding an external id." }),
});

const ConnectorInput = builder.inputType("ConnectorInput", {
  fields: (t) => ({
    direction: t.field({ type: ConnectorDirectionEnum, required: true }),
    active: t.boolean({ description: "Default true." }),
    ...configFields(t, true),
  }),
});
const ConnectorPatch = builder.inputType("ConnectorPatch", {
  description: "Only the fields given change; null clears an expression or restores a default.",
  fields: (t) => configFields(t, false),
});

const connectorId = (id: string) => localIdOrNull(id, "Connector") ?? "";
const options = (ctx: GraphQLContext): ConnectorOptions => ({ masterKey: ctx.auth.keys.masterKey, settings: ctx.connectors });
const returnsConnector = mutationResult(ConnectorRef, "connector", CONNECTORS_MANAGE);
const returnsSecret = mutationResult(IssuedConnectorSecretRef, "issued", CONNECTORS_MANAGE);

builder.mutationFields((t) => ({
  createConnector: t.field({
    ...returnsSecret,
    description: "Creates a connector; its signing secret is in the answer and nowhere else. Records connector.created.",
    args: { input: t.arg({ type: ConnectorInput, required: true }) },
    resolve: (_root, { input }, ctx) => createConnector(adminService(ctx), options(ctx), input),
  }),
  updateConnector: t.field({
    ...returnsConnector,
    description: "Records connector.updated with the changes (header values left out).",
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: ConnectorPatch, required: true }) },
    resolve: (_root, { id, input }, ctx) => updateConnector(adminService(ctx), options(ctx), connectorId(id), input),
  }),
  activateConnector: t.field({
    ...returnsConnector,
    description: "Starts queueing deliveries again, with the failure count reset. Records connector.activated.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => activateConnector(adminService(ctx), connectorId(id)),
  }),
  deactivateConnector: t.field({
    ...returnsConnector,
    description: "Stops queueing deliveries. Records connector.deactivated.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => deactivateConnector(adminService(ctx), connectorId(id)),
  }),
  deleteConnector: t.field({
    ...mutationResult("ID", "deletedConnectorId", CONNECTORS_MANAGE),
    description: "Deletes the connector with its delivery log and inflow requests. Records connector.deleted.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => answeringId(id, () => deleteConnector(adminService(ctx), connectorId(id))),
  }),
  rotateConnectorSecret: t.field({
    ...returnsSecret,
    description:
      "A new signing secret, shown once. The previous one stays valid for overlapSeconds (default 86400, at most 604800; 0 ends it " +
      "now): deliveries carry a signature under each meanwhile. Records connector.secret_rotated.",
    args: { id: t.arg.id({ required: true }), overlapSeconds: t.arg.int() },
    resolve: (_root, { id, overlapSeconds }, ctx) =>
      rotateConnectorSecret(adminService(ctx), options(ctx), connectorId(id), overlapSeconds ?? undefined),
  }),
}));
