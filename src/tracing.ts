import type { IncomingMessage, RequestOptions } from "node:http";
import { register } from "node:module";
import type { NodeSDK } from "@opentelemetry/sdk-node";
import { otlpTracingConfigured } from "./config.ts";
import { safePath } from "./paths.ts";

// OpenTelemetry tracing: `node --import ./src/tracing.ts src/main.ts` (npm start, test/helpers/process.ts).
// It has to be a --import: every module of an ESM program is loaded before the first one runs, so
// an import at the top of main.ts would register the http and pg instrumentations after http and pg
// are loaded, and they would never see a request. Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: then nothing but this file and config.ts is loaded.
// The SDK reads the other standard variables itself (OTEL_EXPORTER_OTLP_PROTOCOL, _HEADERS,
// OTEL_TRACES_SAMPLER, OTEL_RESOURCE_ATTRIBUTES, …). GraphQL spans: src/graphql/tracing.ts.

let sdk: NodeSDK | undefined;

if (otlpTracingConfigured(process.env)) sdk = await startTracing();

/** Exports the spans still buffered (at most one batch); the process calls it as it stops. */
export async function stopTracing(): Promise<void> {
  await sdk?.shutdown();
}

async function startTracing(): Promise<NodeSDK> {
  // import-in-the-middle wraps only the modules an instrumentation asks for (http, pg), not every one.
  const { createAddHookMessageChannel } = await import("import-in-the-middle");
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register("import-in-the-middle/hook.mjs", import.meta.url, registerOptions);
  const [{ NodeSDK }, { HttpInstrumentation }, { PgInstrumentation }] = await Promise.all([
    import("@opentelemetry/sdk-node"),
    import("@opentelemetry/instrumentation-http"),
    import("@opentelemetry/instrumentation-pg"),
  ]);
  // Traces only: the SDK would also export metrics and logs to the same endpoint unless told otherwise
  // (the gateway's metrics are scraped instead); setting the variables turns them on.
  process.env.OTEL_METRICS_EXPORTER ??= "none";
  process.env.OTEL_LOGS_EXPORTER ??= "none";
  const started = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME || "identity-gateway",
    instrumentations: [
      // No headers are recorded (credentials and tokens travel in them); paths and URLs are cut down by safePath.
      new HttpInstrumentation({
        startIncomingSpanHook: incomingAttributes,
        startOutgoingSpanHook: outgoingAttributes,
      }),
      // Statements are recorded with their placeholders, never the values; the workers' polls are
      // not traced on their own (only statements inside a traced request are).
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
    ],
  });
  started.start();
  await waitForAllMessagesAcknowledged();
  return started;
}

/**
 * The URL attributes of HTTP spans, overriding the instrumentation's (stable semantic conventions,
 * and the old ones' names for OTEL_SEMCONV_STABILITY_OPT_IN=http/dup): the path by safePath, no query.
 */
function incomingAttributes(request: IncomingMessage) {
  const path = safePath(request.url ?? "/");
  return { "url.path": path, "url.query": undefined, "http.target": path, "http.url": undefined };
}

function outgoingAttributes({ protocol, hostname, host, port, path }: RequestOptions) {
  const url = `${protocol ?? "http:"}//${hostname ?? host ?? "localhost"}${port ? `:${port}` : ""}${safePath(path ?? "/")}`;
  return { "url.full": url, "url.path": safePath(path ?? "/"), "url.query": undefined, "http.url": url, "http.target": undefined };
}
