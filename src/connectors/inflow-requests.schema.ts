import { builder } from "../graphql/builder.ts";
import { inflowRequestQuery } from "./inflow-log.ts";
import { inflowRequestFilterArgs } from "./inflow.schema.ts";

// Connector.inflowRequests: the connector's inflow log, folded into the connector's own query
// (one statement for a page of connectors with their logs). The same filter and order as
// Query.inflowRequests (inflowRequestQuery). Registered in src/graphql/schema.ts after the
// Connector type (connectors/schema.ts).

builder.prismaObjectField("Connector", "inflowRequests", (t) =>
  t.relatedConnection("inflowRequests", {
    cursor: "id",
    description: "The requests this inflow connector received, newest first (none for an outflow connector).",
    args: inflowRequestFilterArgs,
    query: (args) => inflowRequestQuery(args),
  }),
);
