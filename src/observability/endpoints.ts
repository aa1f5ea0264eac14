import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Plugin, YogaLogger } from "graphql-yoga";
import type { Database } from "../db/database.ts";
import type { EventBus } from "../events/bus.ts";
import type { LiveConnections } from "../graphql/live-connections.ts";
import type { Logger } from "../logger.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { createReadiness } from "./readiness.ts";
import { observeRequests, yogaLogger } from "./request-log.ts";

export const HEALTH_PATH = "/health";
export const READY_PATH = "/ready";
export const METRICS_PATH = "/metrics";

export interface ObservabilityDeps {
  database: Database;
  events: EventBus;
  /** The Redis connections /ready pings; empty without REDIS_URL. */
  redis: { ping(): Promise<void> }[];
  live: LiveConnections;
  logger: Logger;
  /** METRICS_PORT: null serves /metrics on the main port, a number only on its own server (0: any free port). */
  metricsPort: number | null;
  host: string;
}

/** Health, readiness, metrics and request logs of one app. */
export interface Observability {
  metrics: Metrics;
  /** First among yoga's plugins: the request log line and the request metrics. */
  plugin: Plugin;
  /** yoga's `logging`: expected errors are not logged as errors. */
  yogaLogger: YogaLogger;
  /** The main server's handler: /health, /ready (and /metrics without METRICS_PORT) answered here, the rest by `next`. */
  handler(next: RequestListener): RequestListener;
  /** Starts the metrics server when METRICS_PORT is set. */
  start(): Promise<void>;
  /** Where /metrics is served on its own port, once started; null otherwise. */
  metricsUrl(): string | null;
  /** /ready answers 503 from now on (the node is stopping). */
  beginStop(): void;
  close(): Promise<void>;
}

/**
 * The operator's endpoints, answered before yoga (no CORS, no GraphQL parsing, no request log
 * line per probe), unauthenticated and never cached. They name no tenant and carry no tenant data.
 */
export function createObservability(deps: ObservabilityDeps): Observability {
  let stopping = false;
  let metricsServer: Server | undefined;
  const metrics = createMetrics(deps);
  const ready = createReadiness({ database: deps.database, redis: deps.redis, stopping: () => stopping, logger: deps.logger });
  const endpoints: Record<string, () => Promise<{ status: number; type: string; body: string }>> = {
    [HEALTH_PATH]: async () => json(200, { status: "ok" }),
    [READY_PATH]: async () => {
      const { ready: ok, checks } = await ready();
      return json(ok ? 200 : 503, { status: ok ? "ready" : "not ready", checks });
    },
  };
  const metricsEndpoint = async () => ({ status: 200, type: metrics.contentType, body: await metrics.text() });
  const mainEndpoints = deps.metricsPort === null ? { ...endpoints, [METRICS_PATH]: metricsEndpoint } : endpoints;
  return {
    metrics,
    plugin: observeRequests(deps.logger, metrics),
    yogaLogger: yogaLogger(deps.logger),
    handler: (next) => (req, res) => {
      const endpoint = mainEndpoints[pathOf(req)];
      if (endpoint) void answer(req, res, endpoint, deps.logger);
      else next(req, res);
    },
    async start() {
      if (deps.metricsPort === null) return;
      metricsServer = createServer((req, res) => {
        if (pathOf(req) === METRICS_PATH) void answer(req, res, metricsEndpoint, deps.logger);
        else answerNotFound(res);
      });
      await new Promise<void>((resolve, reject) => {
        metricsServer!.once("error", reject);
        metricsServer!.listen(deps.metricsPort!, deps.host, resolve);
      });
    },
    metricsUrl() {
      const address = metricsServer?.address() as AddressInfo | null | undefined;
      return address ? `http://${deps.host.includes(":") ? `[${deps.host}]` : deps.host}:${address.port}${METRICS_PATH}` : null;
    },
    beginStop() {
      stopping = true;
    },
    async close() {
      stopping = true;
      metrics.close();
      if (!metricsServer) return;
      metricsServer.closeAllConnections();
      await new Promise<void>((resolve) => metricsServer!.close(() => resolve()));
    },
  };
}

const json = (status: number, value: unknown) => ({ status, type: "application/json", body: JSON.stringify(value) });

const pathOf = (req: IncomingMessage) => (req.url ?? "/").split("?")[0];

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: () => Promise<{ status: number; type: string; body: string }>,
  logger: Logger,
) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  try {
    const { status, type, body } = await endpoint();
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
  } catch (error) {
    logger.error({ err: error }, "operational endpoint failed");
    res.writeHead(500, { "cache-control": "no-store" }).end();
  }
}

function answerNotFound(res: ServerResponse) {
  res.writeHead(404, { "content-type": "text/plain" }).end("Not found: this port serves /metrics only\n");
}
