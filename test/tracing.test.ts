import { execFile, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safePath } from "../src/paths.ts";
import { createTestDatabase, TEST_DB } from "./helpers/database.ts";
import { startGatewayProcess } from "./helpers/process.ts";

// src/tracing.ts and src/graphql/tracing.ts: a real gateway process exports its spans over
// OTLP/HTTP (JSON) to a receiver in this test. PGlite has no pg driver: the database span is
// asserted on PostgreSQL only.

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
}

/** An OTLP/HTTP receiver: every span of every POST /v1/traces, attributes flattened to plain values. */
async function otlpReceiver(): Promise<{
  server: Server;
  url: string;
  spans: ReceivedSpan[];
  services: Set<string>;
  bodies: string[];
  paths: Set<string>;
}> {
  const received = { spans: [] as ReceivedSpan[], services: new Set<string>(), bodies: [] as string[], paths: new Set<string>() };
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      received.paths.add(request.url ?? "");
      if (request.url === "/v1/traces") {
        received.bodies.push(body);
        for (const resourceSpans of JSON.parse(body).resourceSpans ?? []) {
          const service = resourceSpans.resource?.attributes?.find((a: { key: string }) => a.key === "service.name");
          if (service) received.services.add(service.value.stringValue);
          for (const scope of resourceSpans.scopeSpans ?? []) for (const span of scope.spans ?? []) received.spans.push(flatten(span));
        }
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ...received };
}

function flatten(span: {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}) {
  const attributes = Object.fromEntries((span.attributes ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
  return { traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, name: span.name, attributes };
}

describe("tracing over OTLP", () => {
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let child: ChildProcess;
  let url: string;
  let credential: { key: string; secret: string };
  let closeDatabase: () => Promise<void>;
  let dataDir: string;

  beforeAll(async () => {
    receiver = await otlpReceiver();
    // PostgreSQL: a fresh database the process bootstraps; PGlite: the process's own data folder.
    const database = TEST_DB === "postgres" ? await createTestDatabase() : null;
    closeDatabase = async () => database?.close();
    dataDir = await mkdtemp(join(tmpdir(), "gateway-tracing-"));
    const started = startGatewayProcess(database?.url ?? "", {
      DATA_DIR: dataDir,
      BOOTSTRAP: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      // Export each batch after 100 ms instead of 5 s.
      OTEL_BSP_SCHEDULE_DELAY: "100",
      // Were the SDK's metrics on, they would be posted (to /v1/metrics) within the test.
      OTEL_METRIC_EXPORT_INTERVAL: "200",
      OTEL_METRIC_EXPORT_TIMEOUT: "100",
      OTEL_SERVICE_NAME: "",
    });
    child = started.child;
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    url = await started.url;
    credential = { key: /X-API-Key:\s+(\S+)/.exec(out)![1]!, secret: /X-API-Secret:\s+(\S+)/.exec(out)![1]! };
  });

  afterAll(async () => {
    child?.kill("SIGTERM");
    if (child && child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
    receiver?.server.close();
    await closeDatabase?.();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("exports the HTTP, GraphQL and database spans of one request in one trace, without secrets", async () => {
    const response = await fetch(`${url}?probe=secret-in-query`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": credential.key, "x-api-secret": credential.secret },
      body: JSON.stringify({
        query: "query WhoAmI($first: Int) { currentTenant { slug } adminCredentials(first: $first) { edges { node { name } } } }",
        variables: { first: 5 },
      }),
    });
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    const graphqlSpan = async () => receiver.spans.find((span) => span.name === "query.WhoAmI");
    await expect.poll(graphqlSpan, { timeout: 15_000 }).toBeDefined();
    const graphql = (await graphqlSpan())!;
    expect(graphql.attributes["graphql.execute.operationName"]).toBe("WhoAmI");
    expect(graphql.attributes["graphql.execute.operationType"]).toBe("query");
    expect(graphql.attributes).not.toHaveProperty("graphql.execute.variables");

    const trace = receiver.spans.filter((span) => span.traceId === graphql.traceId);
    const server = trace.find((span) => span.attributes["http.request.method"] === "POST" && !span.parentSpanId);
    expect(server, JSON.stringify(trace)).toBeDefined();
    expect(graphql.parentSpanId).toBe(server!.spanId);
    expect(server!.attributes["url.path"]).toBe("/graphql");
    expect(server!.attributes).not.toHaveProperty("url.query");
    if (TEST_DB === "postgres") {
      const statements = trace.filter((span) => span.attributes["db.system.name"] === "postgresql" && span.name.startsWith("pg.query"));
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.some((span) => String(span.attributes["db.query.text"]).includes("admin_credential"))).toBe(true);
    }
    expect([...receiver.services]).toEqual(["identity-gateway"]);
    expect(receiver.paths).toEqual(new Set(["/v1/traces"]));
    const everything = receiver.bodies.join("\n");
    expect(everything).not.toContain(credential.secret);
    expect(everything).not.toContain("secret-in-query");
  });
});

describe("tracing off", () => {
  const run = promisify(execFile);
  // Whether a process started as npm start starts it (src/tracing.ts as --import) has loaded the SDK.
  const sdkLoaded = async (env: Record<string, string>) => {
    const check = "console.log(Object.keys(require.cache).some((file) => file.includes('@opentelemetry/sdk-node')))";
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--import", "./src/tracing.ts", "-e", check], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: "", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "", ...env },
    });
    return stdout.trim();
  };

  it("without OTEL_EXPORTER_OTLP_ENDPOINT no SDK is loaded; with it, it is", async () => {
    expect(await sdkLoaded({})).toBe("false");
    expect(await sdkLoaded({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces" })).toBe("true");
  });

  it("spans name paths without what may be secret in them", () => {
    expect(safePath("/graphql?query={x}&variables={}")).toBe("/graphql");
    expect(safePath("/exports/sealed-link-token")).toBe("/exports/…");
    expect(safePath("/hooks/abc?token=t")).toBe("/hooks/…");
    expect(safePath("/.well-known/jwks.json")).toBe("/.well-known/jwks.json");
  });
});
