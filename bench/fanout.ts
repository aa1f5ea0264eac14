// npm run bench:fanout — live audit fan-out: SUBSCRIBERS graphql-ws subscribers receive RATE
// events/s for DURATION seconds, first from one gateway node, then from two nodes joined by Redis
// (subscribers and writes split across both). Reports commit→receipt latency p50/p99, each
// node's peak RSS, and checks that every subscriber got every event exactly once, in order.
//
// Latency is measured from the event's occurredAt (PostgreSQL's transaction start time, so it
// slightly over-counts) to arrival at the subscriber, on one machine clock.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { openDatabase } from "../src/db/database.ts";
import { createLocalEventBus } from "../src/events/bus.ts";
import { createTenant } from "../src/tenants/service.ts";
import { startGatewayProcess, withScratchDatabase } from "./harness.ts";
import { machine, recordResults } from "./machine.ts";

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 1000);
const RATE = Number(process.env.RATE ?? 500);
const DURATION = Number(process.env.DURATION ?? 30);
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** Which setups to run: "1" (one node), "2" (two nodes + Redis) or both (default). */
const PHASES = (process.env.PHASES ?? "1,2").split(",");

/** CPU time (user + system) a process has used so far, in ms: what an event costs, whatever the machine's load. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Peak resident memory (VmHWM) of a process, in MiB. */
function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

interface Phase {
  label: string;
  /** SLOW_CONSUMER cut-offs, each followed by a resubscription after the last event seen. */
  cutOffs: number;
  p50: number;
  p99: number;
  max: number;
  delivered: number;
  expected: number;
  /** Skipped sequence numbers seen by a subscriber: a real loss. */
  lost: number;
  /** Not yet delivered 60 s after the last write: backlog, not loss. */
  missing: number;
  duplicated: number;
  rss: number[];
  achievedRate: number;
  requestedRate: number;
  /** Gateway CPU (all nodes) per event delivered to one subscriber, in µs. */
  cpuPerDelivery: number;
}

async function runPhase(
  label: string,
  urls: string[],
  pids: number[],
  headers: Record<string, string>,
  customerIds: string[],
  after: string,
): Promise<Phase> {
  // Latencies in a histogram of 0.1 ms buckets up to 60 s: constant memory whatever the volume.
  const buckets = new Uint32Array(600_000);
  let delivered = 0;
  let lost = 0;
  let duplicated = 0;
  let maxLatency = 0;
  const clients: Client[] = [];
  let connected = 0;
  let cutOffs = 0;
  for (let i = 0; i < SUBSCRIBERS; i++) {
    let next = Number(after) + 1;
    const client = createClient({
      url: urls[i % urls.length].replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: headers,
      lazy: false,
      retryAttempts: 0,
      on: { connected: () => void connected++ },
    });
    // Like a real client: when cut off as a slow consumer, resubscribe after the last event seen.
    const subscribe = (from: string) =>
      client.subscribe<{ auditEvents: { sequence: number; occurredAt: string } }>(
        { query: `subscription ($after: String) { auditEvents(after: $after) { sequence occurredAt } }`, variables: { after: from } },
        {
          next: ({ data, errors }) => {
            const slow = errors?.find((e) => e.extensions?.code === "SLOW_CONSUMER");
            if (slow) {
              cutOffs++;
              subscribe(String(slow.extensions!.resumeAfter ?? next - 1));
              return;
            }
            const e = data?.auditEvents;
            if (!e) return;
            const latency = Date.now() - Date.parse(e.occurredAt);
            buckets[Math.min(buckets.length - 1, Math.max(0, Math.round(latency * 10)))]++;
            maxLatency = Math.max(maxLatency, latency);
            delivered++;
            if (e.sequence < next) duplicated++;
            else if (e.sequence > next) lost += e.sequence - next;
            next = Math.max(next, e.sequence + 1);
          },
          error: (err) => console.error("subscriber error", err),
          complete: () => {},
        },
      );
    subscribe(after);
    clients.push(client);
  }
  while (connected < SUBSCRIBERS) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1000));

  // Writes at RATE per second, spread over every 10 ms tick, round-robin over the nodes.
  const total = RATE * DURATION;
  let sent = 0;
  let failed = 0;
  const started = Date.now();
  const cpuBefore = pids.map(cpuMs);
  const inflight = new Set<Promise<void>>();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * RATE));
    while (sent < due) {
      const i = sent++;
      const p = fetch(urls[i % urls.length], {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({
          query: `mutation ($id: ID!, $n: String) { updateCustomer(id: $id, input: { nickname: $n }) { __typename } }`,
          variables: { id: customerIds[i % customerIds.length], n: `n${i}` },
        }),
      })
        .then(async (r) => {
          const body = await r.json();
          if (body.data?.updateCustomer?.__typename !== "UpdateCustomerPayload") failed++;
        })
        .catch(() => void failed++)
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(inflight);
  const writeSeconds = (Date.now() - started) / 1000;
  const expected = (total - failed) * SUBSCRIBERS;
  const deadline = Date.now() + 60_000;
  while (delivered < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const rss = pids.map(peakRssMiB);
  const cpu = pids.map(cpuMs).reduce((sum, ms, i) => sum + ms - cpuBefore[i], 0);
  await Promise.all(clients.map((c) => c.dispose()));

  const quantile = (q: number) => {
    let seen = 0;
    const target = q * delivered;
    for (let i = 0; i < buckets.length; i++) {
      seen += buckets[i];
      if (seen >= target) return i / 10;
    }
    return Infinity;
  };
  if (failed) console.error(`${failed} of ${total} writes failed (the node was too busy to start their transactions)`);
  return {
    cutOffs,
    label,
    p50: quantile(0.5),
    p99: quantile(0.99),
    max: Math.round(maxLatency),
    delivered,
    expected,
    lost,
    missing: Math.max(0, expected - delivered),
    duplicated,
    rss,
    achievedRate: Math.round((total - failed) / writeSeconds),
    requestedRate: RATE,
    cpuPerDelivery: delivered ? Math.round((cpu * 1000) / delivered) : 0,
  };
}

async function main() {
  await withScratchDatabase("fanout", async (databaseUrl) => {
    const children: ChildProcess[] = [];
    try {
      const database = await openDatabase({ kind: "postgres", url: databaseUrl });
      const { credential, secret, tenant } = await createTenant(database.prisma, createLocalEventBus(), { slug: "bench" });
      const customers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          database.prisma.customer.create({ data: { tenantId: tenant.id, uid: `bench-${i}`, username: `bench${i}` } }),
        ),
      );
      const customerIds = customers.map((c) => Buffer.from(`Customer:${c.id}`).toString("base64"));
      const headers = { "x-api-key": credential.keyId, "x-api-secret": secret };
      const cursor = async () => (await database.prisma.tenant.findUniqueOrThrow({ where: { id: tenant.id } })).auditSeq.toString();

      // The writer sends hundreds of mutations a second with one credential: lift its rate limit.
      const node = (redisUrl: string) =>
        startGatewayProcess({ DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, RATE_LIMIT_ADMIN_PER_CREDENTIAL: "9999999/60" });
      const phases: Phase[] = [];
      if (PHASES.includes("1")) {
        const one = await node("");
        children.push(one.child);
        phases.push(await runPhase("1 node", [one.url], [one.child.pid!], headers, customerIds, await cursor()));
        one.child.kill("SIGTERM");
      }
      if (PHASES.includes("2")) {
        const a = await node(REDIS_URL);
        const b = await node(REDIS_URL);
        children.push(a.child, b.child);
        const pids = [a.child.pid!, b.child.pid!];
        phases.push(await runPhase("2 nodes + Redis", [a.url, b.url], pids, headers, customerIds, await cursor()));
      }
      await database.close();
      report(phases);
    } finally {
      for (const child of children) child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
    }
  });
}

function report(phases: Phase[]) {
  const goal = { "1 node": 50, "2 nodes + Redis": 100 } as Record<string, number>;
  const lines = phases.map(
    (p) =>
      `| ${p.label} | ${p.requestedRate} | ${p.achievedRate} | ${p.p50} | ${p.p99} (goal < ${goal[p.label]}) | ${p.max} | ${p.delivered} / ${p.expected} | ${p.missing} | ${p.lost} | ${p.duplicated} | ${p.cutOffs} | ${p.rss.join(" + ")} | ${p.cpuPerDelivery} |`,
  );
  const table = [
    `| setup | writes/s requested | writes/s achieved | p50 ms | p99 ms | max ms | delivered / expected | still queued after 60 s | lost | duplicated | slow-consumer cut-offs | peak RSS MiB | gateway CPU µs per delivery |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...lines,
  ].join("\n");
  console.log(table);
  recordResults(
    `\n## bench:fanout — ${new Date().toISOString().slice(0, 10)}\n\n${machine()}; PostgreSQL and Redis on the same machine; gateway nodes, subscribers and writer all on it too.\n${SUBSCRIBERS} graphql-ws subscribers, ${RATE} events/s requested for ${DURATION} s (each event goes to every subscriber).\n\n${table}\n`,
  );
}

await main();
process.exit(0);
