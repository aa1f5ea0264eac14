import type { Plugin } from "graphql-yoga";

/**
 * One span per GraphQL operation (`query.WhoAmI`, with graphql.execute.operationName and
 * operationType), a child of the HTTP server span, from @envelop/opentelemetry. Loaded only when
 * tracing is on (src/tracing.ts); off, the plugin is not added at all. Never recorded: variables,
 * results, and the document when it has inline arguments (a password or token may be one). No
 * per-resolver spans: one per field would cost more than the request.
 */
export async function graphqlTracingPlugin(): Promise<Plugin> {
  const [{ useOpenTelemetry }, { trace, SpanKind }] = await Promise.all([import("@envelop/opentelemetry"), import("@opentelemetry/api")]);
  return useOpenTelemetry(
    { resolvers: false, variables: false, result: false },
    trace.getTracerProvider(),
    SpanKind.INTERNAL,
    {},
    "identity-gateway",
  ) as Plugin;
}
