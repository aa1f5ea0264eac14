import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Database } from "../db/database.ts";
import { ERROR_CODES, REQUEST_ERROR_CODES } from "../errors.ts";
import type { EventBus } from "../events/bus.ts";
import type { LiveConnections } from "../graphql/live-connections.ts";
import type { Logger } from "../logger.ts";

/** Distinct operation names with their own series; later ones share OTHER_OPERATION. */
export const MAX_OPERATION_NAMES = 100;
export const ANONYMOUS_OPERATION = "(anonymous)";
export const OTHER_OPERATION = "(other)";
/** Requests that never reached execution (refused at parse, validation or a limit). */
export const NO_OPERATION = "(none)";
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const KNOWN_CODES = new Set<string>([...ERROR_CODES, ...REQUEST_ERROR_CODES]);

export interface MetricSources {
  database: Pick<Database, "sql" | "poolStats">;
  events: Pick<EventBus, "onDelivered">;
  live: Pick<LiveConnections, "counts">;
  logger: Logger;
}

export interface RequestObservation {
  /** "graphql" for /graphql, "other" for the gateway's other HTTP routes. */
  route: "graphql" | "other";
  status: number;
  /** The executed operation's name (null: anonymous) and type; undefined when none was executed. */
  operation?: { name: string | null; type: string };
  errorCodes: string[];
  seconds: number;
}

export interface Metrics {
  observeRequest(request: RequestObservation): void;
  /** Counts a live subscription; returns the function to call when it ends. */
  subscriptionStarted(): () => void;
  /** The Prometheus text exposition: this node's process metrics, then this app's. */
  text(): Promise<string>;
  readonly contentType: string;
  /** Stops listening to the event bus. */
  close(): void;
}

// Process metrics (CPU, memory, event loop, GC) describe the process, not an app: registered once
// per process. Their collectors (a GC observer, an event-loop histogram) can never be removed,
// so one set per created app would pile up in a test run that creates hundreds.
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** One app's metrics in a Registry of its own (a process may hold several apps: tests, benchmarks). */
export function createMetrics(sources: MetricSources): Metrics {
  const registers = [new Registry()];
  const operationName = operationNames();
  const httpRequests = new Counter({
    name: "gateway_http_requests_total",
    help: "HTTP requests answered by the gateway, by route and status",
    labelNames: ["route", "status"],
    registers,
  });
  const durations = new Histogram({
    name: "gateway_graphql_request_duration_seconds",
    help: "GraphQL requests over HTTP until the response starts, by operation name and type (names beyond a fixed number fold into (other))",
    labelNames: ["operation", "type"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const errors = new Counter({
    name: "gateway_graphql_errors_total",
    help: "GraphQL errors returned, by code",
    labelNames: ["code"],
    registers,
  });
  const subscriptions = new Gauge({
    name: "gateway_graphql_subscriptions_active",
    help: "Live GraphQL subscriptions (SSE and WebSocket)",
    registers,
  });
  const stopLag = eventBusLag(sources.events, registers);
  scrapedGauges(sources, registers);
  return {
    observeRequest({ route, status, operation, errorCodes, seconds }) {
      httpRequests.inc({ route, status });
      if (route === "graphql") {
        durations.observe(
          { operation: operation ? operationName(operation.name) : NO_OPERATION, type: operation?.type ?? NO_OPERATION },
          seconds,
        );
      }
      for (const code of errorCodes) errors.inc({ code: KNOWN_CODES.has(code) ? code : "INTERNAL_SERVER_ERROR" });
    },
    subscriptionStarted() {
      subscriptions.inc();
      let ended = false;
      return () => {
        if (!ended) subscriptions.dec();
        ended = true;
      };
    },
    async text() {
      return (await processMetrics().metrics()) + (await registers[0].metrics());
    },
    contentType: registers[0].contentType,
    close: stopLag,
  };
}

/** Observes the bus's delivery lag; returns the function that stops. */
function eventBusLag(events: MetricSources["events"], registers: Registry[]): () => void {
  const lag = new Histogram({
    name: "gateway_event_bus_lag_seconds",
    help: "Time from an audit event's publication (on any node) to its delivery on this node; across nodes includes clock skew",
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers,
  });
  return events.onDelivered((ms) => lag.observe(Math.max(0, ms) / 1000));
}

/** The label of an operation name: itself for the first MAX_OPERATION_NAMES well-formed names seen, else a fixed value. */
function operationNames() {
  const seen = new Set<string>();
  return (name: string | null): string => {
    if (name === null) return ANONYMOUS_OPERATION;
    if (seen.has(name)) return name;
    if (!OPERATION_NAME.test(name) || seen.size >= MAX_OPERATION_NAMES) return OTHER_OPERATION;
    seen.add(name);
    return name;
  };
}

// One statement per scrape for the three queues, each count on an index (the outbox's partial
// index on open deliveries, notification(status, next_attempt_at), job(status)).
const QUEUE_DEPTHS = `SELECT
  (SELECT count(*) FROM connector_delivery WHERE status IN ('PENDING', 'SENDING'))::int AS connector_deliveries,
  (SELECT count(*) FROM notification WHERE status IN ('PENDING', 'SENDING'))::int AS notifications,
  (SELECT count(*) FROM job WHERE status IN ('QUEUED', 'RUNNING'))::int AS jobs`;

/** Gauges read when Prometheus scrapes: queue depths, live connections, the PostgreSQL pool. */
function scrapedGauges({ database, live, logger }: MetricSources, registers: Registry[]) {
  new Gauge({
    name: "gateway_queue_depth",
    help: "Work not yet done, all tenants: connector deliveries and notifications pending or being sent, import and bulk jobs queued or running",
    labelNames: ["queue"],
    registers,
    async collect() {
      try {
        const [row] = await database.sql(QUEUE_DEPTHS);
        for (const queue of ["connector_deliveries", "notifications", "jobs"]) this.set({ queue }, Number(row[queue]));
      } catch (error) {
        // A scrape still answers while the database is away; the gauge is absent meanwhile.
        this.reset();
        logger.warn({ err: error }, "queue depths could not be read for /metrics");
      }
    },
  });
  new Gauge({
    name: "gateway_live_connections",
    help: "Open admin WebSocket connections and SSE streams on this node",
    labelNames: ["transport"],
    registers,
    collect() {
      for (const [transport, count] of Object.entries(live.counts())) this.set({ transport }, count);
    },
  });
  const poolStats = database.poolStats;
  if (!poolStats) return;
  new Gauge({
    name: "gateway_db_pool_connections",
    help: "PostgreSQL pool connections: total, idle, and queries waiting for one",
    labelNames: ["state"],
    registers,
    collect() {
      for (const [state, count] of Object.entries(poolStats())) this.set({ state }, count);
    },
  });
}
