import { afterAll, describe, expect, it } from "vitest";
import { MAX_OPERATION_NAMES, OTHER_OPERATION } from "../src/observability/metrics.ts";
import { insertConnector } from "./helpers/connector-rows.ts";
import { TEST_DB } from "./helpers/database.ts";
import { emit } from "./helpers/deliveries.ts";
import { createTestGateway } from "./helpers/gateway.ts";
import { useTestGateway } from "./helpers/suite.ts";

// /metrics over real HTTP: the Prometheus text of one gateway (its own Registry) and the process.

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The value of one series (0 when absent). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found?.value ?? 0;
}

describe(`/metrics on ${TEST_DB}`, () => {
  const gw = useTestGateway({ listen: true });
  const origin = () => gw.url.replace(/\/graphql$/, "");
  const scrape = async () => {
    const response = await fetch(`${origin()}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(await response.text());
  };
  const post = (query: string, headers: Record<string, string> = gw.tenants.A.headers) =>
    fetch(gw.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query }) });

  it("counts requests and their durations per named operation and type", async () => {
    const before = await scrape();
    for (let i = 0; i < 3; i++) expect((await post("query MetricsProbe { __typename }")).status).toBe(200);
    const after = await scrape();
    const ok = { route: "graphql", status: "200" };
    expect(value(after, "gateway_http_requests_total", ok) - value(before, "gateway_http_requests_total", ok)).toBe(3);
    const series = { operation: "MetricsProbe", type: "query" };
    expect(value(after, "gateway_graphql_request_duration_seconds_count", series)).toBe(3);
    expect(value(after, "gateway_graphql_request_duration_seconds_bucket", { ...series, le: "+Inf" })).toBe(3);
    expect(value(after, "gateway_graphql_request_duration_seconds_sum", series)).toBeGreaterThan(0);
  });

  it("counts errors by their stable code, and requests refused before execution under (none)", async () => {
    const before = await scrape();
    expect((await post("query Broken { noSuchField }")).status).toBe(400);
    await post('query { customer(id: "Q3VzdG9tZXI6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw") { id } }');
    expect((await post("{ __typename }", { "x-api-key": "nope", "x-api-secret": "wrong" })).status).toBe(401);
    const after = await scrape();
    const grew = (code: string) =>
      value(after, "gateway_graphql_errors_total", { code }) - value(before, "gateway_graphql_errors_total", { code });
    expect(grew("GRAPHQL_VALIDATION_FAILED")).toBe(1);
    expect(grew("UNAUTHENTICATED")).toBe(1);
    expect(value(after, "gateway_graphql_request_duration_seconds_count", { operation: "(none)", type: "(none)" })).toBeGreaterThanOrEqual(
      2,
    );
    expect(
      value(after, "gateway_graphql_request_duration_seconds_count", { operation: "(anonymous)", type: "query" }),
    ).toBeGreaterThanOrEqual(1);
  });

  it("keeps the operation label bounded: names past the limit share one series", async () => {
    for (let i = 0; i < MAX_OPERATION_NAMES + 5; i++) await post(`query Flood${i} { __typename }`);
    const names = new Set(
      (await scrape()).filter((s) => s.name === "gateway_graphql_request_duration_seconds_count").map((s) => s.labels.operation),
    );
    expect(names.has(OTHER_OPERATION)).toBe(true);
    expect([...names].filter((name) => !name.startsWith("(")).length).toBe(MAX_OPERATION_NAMES);
  });

  it("reads queue depths at scrape time: a queued connector delivery shows", async () => {
    const before = value(await scrape(), "gateway_queue_depth", { queue: "connector_deliveries" });
    await insertConnector(gw.db, gw.app.auth.keys.masterKey!, gw.tenants.A.id, { url: "http://127.0.0.1:9/hook" });
    await emit(gw.serviceContext(), "customer.metrics_probe");
    const after = await scrape();
    expect(value(after, "gateway_queue_depth", { queue: "connector_deliveries" })).toBe(before + 1);
    expect(after.some((s) => s.name === "gateway_queue_depth" && s.labels.queue === "notifications")).toBe(true);
    expect(after.some((s) => s.name === "gateway_queue_depth" && s.labels.queue === "jobs")).toBe(true);
  });

  it("shows event-bus lag, live connections, process metrics, and the PostgreSQL pool on PostgreSQL", async () => {
    const samples = await scrape();
    expect(value(samples, "gateway_event_bus_lag_seconds_count")).toBeGreaterThan(0);
    expect(value(samples, "gateway_live_connections", { transport: "websocket" })).toBe(0);
    expect(samples.some((s) => s.name === "process_cpu_user_seconds_total")).toBe(true);
    expect(samples.some((s) => s.name === "gateway_db_pool_connections" && s.labels.state === "total")).toBe(TEST_DB === "postgres");
  });

  it("counts a live SSE subscription while it is open", async () => {
    const controller = new AbortController();
    const response = await fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...gw.tenants.A.headers },
      body: JSON.stringify({ query: "subscription { auditEvents { type } }" }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    await expect.poll(async () => value(await scrape(), "gateway_graphql_subscriptions_active")).toBe(1);
    expect(value(await scrape(), "gateway_live_connections", { transport: "sse" })).toBe(1);
    controller.abort();
    await expect.poll(async () => value(await scrape(), "gateway_graphql_subscriptions_active")).toBe(0);
  });
});

describe("METRICS_PORT", () => {
  let close: (() => Promise<void>) | undefined;
  afterAll(() => close?.());

  it("serves /metrics only on its own port, and the main port answers 404 there", async () => {
    const gw = await createTestGateway({ env: { METRICS_PORT: "0" } });
    close = () => gw.close();
    const url = await gw.listen();
    const metricsUrl = gw.app.observability.metricsUrl();
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const own = await fetch(metricsUrl!);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain("gateway_http_requests_total");
    expect((await fetch(url.replace(/\/graphql$/, "/metrics"))).status).toBe(404);
    expect((await fetch(metricsUrl!.replace(/\/metrics$/, "/graphql"))).status).toBe(404);
    // /health and /ready stay on the main port.
    expect((await fetch(url.replace(/\/graphql$/, "/health"))).status).toBe(200);
  });
});
