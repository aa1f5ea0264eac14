// npm run bench:connectors — the outbox's cost and the delivery worker's pace, on PostgreSQL.
// 1. Mutation throughput with connectors off, then with 3 active outflow connectors (`customer.*`,
//    to 3 local receivers), then off again, in the same run on the same database: BENCH_MUTATIONS
//    (default 10,000) createCustomer calls each, BENCH_CONCURRENCY (8) in flight, through the real
//    yoga handler of a gateway in this process whose worker sends the deliveries meanwhile.
//    Reported: on / mean(off) (goal ≥ 0.8), deliveries/s (every delivery received, from the first
//    mutation to the last receipt), commit-to-receipt latency p50/p99 (receipt − the event's
//    occurredAt, same clock).
// 2. kill -9: a gateway node as its own process takes a burst of BENCH_KILL_MUTATIONS (3,000)
//    mutations over HTTP and is killed with SIGKILL a third of the way in; a new node starts on
//    the same database; the receivers must get every committed event's delivery (goal: 0 lost;
//    re-sent attempts with the same webhook-id are counted as duplicates, which are allowed).
//    BENCH_KILL_MUTATIONS=0 skips it.
// A fresh database bench_connectors_<random> is created, migrated and dropped at the end.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { App } from "../src/app.ts";
import { createTenant } from "../src/tenants/service.ts";
import { countingAdapter } from "../test/helpers/database.ts";
import { benchGateway, startGatewayProcess, withScratchDatabase } from "./harness.ts";
import { cpuSplit, loadDuring, machine, recordResults } from "./machine.ts";

const MUTATIONS = Number(process.env.BENCH_MUTATIONS ?? 10_000);
const KILL_MUTATIONS = Number(process.env.BENCH_KILL_MUTATIONS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const CONNECTORS = 3;
// One master key for every node of the run: it seals the connector secrets they all open.
const WORKER_ENV = {
  CONNECTORS_ALLOW_PRIVATE_TARGETS: "true",
  CONNECTOR_LEASE_MARGIN_MS: "2000",
  MASTER_KEY: randomBytes(32).toString("base64"),
};

const CREATE = `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { __typename ... on Error { code } } }`;
const CREATE_CONNECTOR = `mutation ($input: ConnectorInput!) {
  createConnector(input: $input) { __typename ... on CreateConnectorPayload { issued { connector { id } } } ... on Error { code message } } }`;

/** A local receiver: answers 204 at once and remembers each delivery's webhook-id and latency. */
interface Receiver {
  url: string;
  server: Server;
  ids: Set<string>;
  received: number;
  latencies: number[];
  lastAt: number;
}

async function startReceiver(): Promise<Receiver> {
  const receiver = { ids: new Set<string>(), received: 0, latencies: [] as number[], lastAt: 0 } as Receiver;
  receiver.server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const now = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { event?: { occurredAt?: string } };
      receiver.ids.add(String(request.headers["webhook-id"]));
      receiver.received++;
      receiver.lastAt = now;
      if (body.event?.occurredAt) receiver.latencies.push(now - Date.parse(body.event.occurredAt));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hook`;
  return receiver;
}

type Gql = (query: string, variables: Record<string, unknown>) => Promise<Record<string, unknown>>;

function inProcessGql(app: App, headers: Record<string, string>): Gql {
  return async (query, variables) => {
    const response = await app.yoga.fetch("http://bench.local/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return checked(await response.json());
  };
}

function httpGql(url: string, headers: Record<string, string>): Gql {
  return async (query, variables) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return checked(await response.json());
  };
}

function checked(body: { data?: Record<string, unknown> }): Record<string, unknown> {
  const result = Object.values(body.data ?? {})[0] as { __typename?: string } | undefined;
  if (!result?.__typename?.endsWith("Payload")) throw new Error(`gateway answered ${JSON.stringify(body).slice(0, 500)}`);
  return result as Record<string, unknown>;
}

let serial = 0;
const createCustomer = (gql: Gql) => gql(CREATE, { input: { emails: [{ address: `c-${process.pid}-${serial++}@example.com` }] } });

/** Runs `count` calls of `op` with `inFlight` going at once; answers ops/s and how many failed. */
async function runMany(count: number, inFlight: number, op: () => Promise<unknown>): Promise<{ perSecond: number; failed: number }> {
  let started = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (started < count) {
        started++;
        await op().catch(() => failed++);
      }
    }),
  );
  return { perSecond: count / ((performance.now() - t0) / 1000), failed };
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - t0;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

async function createConnectors(gql: Gql, receivers: Receiver[], timeoutMs: number): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, receiver] of receivers.entries()) {
    const input = { direction: "OUTFLOW", name: `bench ${i}`, url: receiver.url, events: ["customer.*"], timeoutMs, retryIntervalMs: 1000 };
    const result = (await gql(CREATE_CONNECTOR, { input })) as { issued: { connector: { id: string } } };
    ids.push(Buffer.from(result.issued.connector.id, "base64").toString().split(":")[1]);
  }
  return ids;
}

/** Every statement the in-process gateway sends (BEGIN included; COMMIT is a statement already); the texts are not kept. */
const counter = { count: 0, sql: { push: () => 0 } as unknown as string[] };
const counting = (factory: SqlDriverAdapterFactory) => countingAdapter(factory, counter, { beginToo: true });

/** What `work` cost per mutation: statements, and CPU milliseconds of this process and of the database's backends. */
async function perMutation<T>(mutations: number, pool: pg.Pool, work: () => Promise<T>): Promise<[T, Cost]> {
  const backends = async () =>
    (await pool.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).rows.map((r) => r.pid);
  const cpu = await cpuSplit(backends);
  counter.count = 0;
  const value = await work();
  const { nodeSeconds, postgresSeconds } = await cpu();
  return [
    value,
    { statements: counter.count / mutations, nodeMs: (nodeSeconds * 1000) / mutations, postgresMs: (postgresSeconds * 1000) / mutations },
  ];
}

interface Cost {
  statements: number;
  nodeMs: number;
  postgresMs: number;
}

async function throughput(databaseUrl: string, pool: pg.Pool) {
  const app = await benchGateway(databaseUrl, counting, WORKER_ENV);
  try {
    const { secret, credential } = await createTenant(app.database.prisma, app.events, { slug: "bench" });
    const gql = inProcessGql(app, { "x-api-key": credential.keyId, "x-api-secret": secret });
    await runMany(500, CONCURRENCY, () => createCustomer(gql)); // warm-up
    const [off1, offCost] = await perMutation(MUTATIONS, pool, () => runMany(MUTATIONS, CONCURRENCY, () => createCustomer(gql)));
    const receivers = await Promise.all(Array.from({ length: CONNECTORS }, startReceiver));
    const connectorIds = await createConnectors(gql, receivers, 5000);
    const t0 = Date.now();
    let mutationsDoneAt = 0;
    const [on, onCost] = await perMutation(MUTATIONS, pool, async () => {
      const result = await runMany(MUTATIONS, CONCURRENCY, () => createCustomer(gql));
      mutationsDoneAt = Date.now();
      await waitFor("every delivery", () => receivers.every((r) => r.ids.size >= MUTATIONS), 600_000);
      return result;
    });
    const lastReceipt = Math.max(...receivers.map((r) => r.lastAt));
    const deliveries = receivers.reduce((n, r) => n + r.ids.size, 0);
    // The third run with the connectors deactivated: no delivery is queued any more.
    await pool.query("UPDATE connector SET active = false WHERE id = ANY($1::uuid[])", [connectorIds]);
    const off2 = await runMany(MUTATIONS, CONCURRENCY, () => createCustomer(gql));
    await Promise.all(receivers.map((r) => new Promise((resolve) => r.server.close(resolve))));
    const latencies = receivers.flatMap((r) => r.latencies);
    const offMean = (off1.perSecond + off2.perSecond) / 2;
    return {
      off1: off1.perSecond,
      on: on.perSecond,
      off2: off2.perSecond,
      ratio: on.perSecond / offMean,
      deliveries,
      deliveriesPerSecond: deliveries / ((lastReceipt - t0) / 1000),
      drainMs: lastReceipt - mutationsDoneAt,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      failed: off1.failed + on.failed + off2.failed,
      offCost,
      onCost,
    };
  } finally {
    await app.stop();
    await app.database.close();
  }
}

async function killNine(databaseUrl: string, pool: pg.Pool) {
  const env = { DATABASE_URL: databaseUrl, RATE_LIMIT_ADMIN_PER_CREDENTIAL: "9999999/60", ...WORKER_ENV };
  const receivers = await Promise.all(Array.from({ length: CONNECTORS }, startReceiver));
  let node = await startGatewayProcess(env);
  try {
    const slug = "bench-kill";
    const { secret, credential } = await createTenantOn(databaseUrl, slug);
    const gql = httpGql(node.url, { "x-api-key": credential.keyId, "x-api-secret": secret });
    await createConnectors(gql, receivers, 2000);
    const [{ id: tenantId }] = (await pool.query<{ id: string }>("SELECT id FROM tenant WHERE slug = $1", [slug])).rows;
    let sent = 0;
    const killAt = Math.floor(KILL_MUTATIONS / 3);
    const burst = runMany(KILL_MUTATIONS, CONCURRENCY, async () => {
      if (++sent === killAt) node.child.kill("SIGKILL");
      await createCustomer(gql);
    });
    const { failed } = await burst;
    const restartedAfterMs = Date.now();
    node = await startGatewayProcess(env);
    const committed = Number(
      (
        await pool.query<{ n: string }>("SELECT count(*) AS n FROM audit_event WHERE tenant_id = $1 AND type = 'customer.created'", [
          tenantId,
        ])
      ).rows[0].n,
    );
    const open = async () =>
      Number(
        (await pool.query<{ n: string }>("SELECT count(*) AS n FROM connector_delivery WHERE status IN ('PENDING', 'SENDING')")).rows[0].n,
      );
    const recoveryMs = await waitFor("the outbox to drain", async () => (await open()) === 0, 600_000);
    const expected = committed * CONNECTORS;
    const unique = receivers.reduce((n, r) => n + r.ids.size, 0);
    const received = receivers.reduce((n, r) => n + r.received, 0);
    return {
      attempted: KILL_MUTATIONS,
      failed,
      committed,
      expected,
      unique,
      lost: expected - unique,
      duplicates: received - unique,
      recoveryMs,
      restartedAfterMs,
    };
  } finally {
    node.child.kill("SIGTERM");
    await Promise.all(receivers.map((r) => new Promise((resolve) => r.server.close(resolve))));
  }
}

/** A tenant made by a short-lived gateway in this process (the node under test is another process). */
async function createTenantOn(databaseUrl: string, slug: string) {
  const app = await benchGateway(databaseUrl, undefined, { CONNECTOR_WORKER_INTERVAL_MS: "0" });
  try {
    return await createTenant(app.database.prisma, app.events, { slug });
  } finally {
    await app.stop();
    await app.database.close();
  }
}

const cost = (c: Cost) =>
  `${c.statements.toFixed(1)} statements, CPU ${c.nodeMs.toFixed(1)} ms node + ${c.postgresMs.toFixed(1)} ms PostgreSQL`;

async function bench(databaseUrl: string) {
  const load = loadDuring();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const t = await throughput(databaseUrl, pool);
    const k = KILL_MUTATIONS > 0 ? await killNine(databaseUrl, pool) : null;
    const table = [
      `| ${MUTATIONS} createCustomer, ${CONCURRENCY} in flight | writes/s |`,
      "| --- | ---: |",
      `| connectors off | ${t.off1.toFixed(0)} |`,
      `| ${CONNECTORS} active connectors (customer.*) | ${t.on.toFixed(0)} |`,
      `| connectors off again | ${t.off2.toFixed(0)} |`,
    ].join("\n");
    const lines = [
      `on / mean(off): **${t.ratio.toFixed(2)}** (goal ≥ 0.8: ${t.ratio >= 0.8 ? "met" : "not met"}); failed mutations: ${t.failed}.`,
      `Deliveries: ${t.deliveries} received, **${t.deliveriesPerSecond.toFixed(0)}/s** from the first mutation to the last receipt; the outbox drained ${(t.drainMs / 1000).toFixed(1)} s after the last mutation.`,
      `Commit-to-receipt latency: p50 **${t.p50.toFixed(0)} ms**, p99 **${t.p99.toFixed(0)} ms**.`,
      `Per mutation (BEGIN/COMMIT included; with connectors, the worker's share until the last receipt): connectors off ${cost(t.offCost)}; ${CONNECTORS} connectors ${cost(t.onCost)}.`,
      ...(k
        ? [
            `kill -9 of a node after ${Math.floor(KILL_MUTATIONS / 3)} of ${k.attempted} mutations (${k.failed} failed at the client): ${k.committed} committed × ${CONNECTORS} connectors = ${k.expected} deliveries expected, ${k.unique} received, **${k.lost} lost** (goal 0: ${k.lost === 0 ? "met" : "not met"}), ${k.duplicates} re-sent with the same webhook-id; the restarted node emptied the outbox in ${(k.recoveryMs / 1000).toFixed(1)} s (leases: connector timeout 2 s + margin 2 s).`,
          ]
        : []),
    ];
    console.log(`\n${table}\n\n${lines.join("\n")}`);
    recordResults(
      `\n## bench:connectors — ${new Date().toISOString()}\n\n${machine()}. ${load()} PostgreSQL on the same machine.\n\n${table}\n\n${lines.join("\n")}\n`,
    );
  } finally {
    await pool.end();
  }
}

await withScratchDatabase("connectors", bench);
