// npm run bench:profile — the nested customer profile query (identities, sessions, consents and
// custom objects, 10 of each) for one customer and for a page of 50, sent through the gateway's
// real HTTP handler (yoga.fetch with admin headers: authentication, parsing, validation, Pothos,
// Prisma, JSON), against the same rows fetched and assembled into the same JSON by one
// hand-written SQL statement through node-postgres, in the same run on the same database.
//
// Runs on PostgreSQL: DATABASE_URL names the server (default postgresql://postgres@127.0.0.1:5432/postgres);
// a fresh database bench_profile_<random> is created, migrated, seeded and dropped at the end.
// BENCH_SECONDS (default 5) per case, BENCH_CONCURRENCY (default 4) requests in flight,
// BENCH_CUSTOMERS (default 200) seeded customers. NO_RECORD=1 skips bench/RESULTS.md.
// The gateway is timed twice: with the SQL read (src/graphql/sql-read/: the nested answer built by
// PostgreSQL) and without it (graphql-js, Pothos and Prisma resolving every field), side by side.
// SQL_READ=0 turns the SQL read off for the responses check and bench:cpu.
// BENCH_CPU=1 (npm run bench:cpu) profiles the gateway side of each case instead (bench/cpu.ts):
// it prints where the time goes by package and records no req/s (the profiler costs throughput).
import { deepStrictEqual } from "node:assert/strict";
import { print } from "graphql";
import pg from "pg";
import { grantConsent } from "../src/consents/service.ts";
import { createCustomObject } from "../src/custom-objects/service.ts";
import { createCustomer } from "../src/customers/service.ts";
import { serviceContext, type ServiceContext } from "../src/service-context.ts";
import { createSession } from "../src/sessions/service.ts";
import { createTenant } from "../src/tenants/service.ts";
import { sqlReadState } from "../src/graphql/sql-read/plugin.ts";
import { CustomerNestedDocument, CustomersNestedDocument } from "../test/generated/graphql.ts";
import { breakdown, breakdownTable, profiled, saveProfile } from "./cpu.ts";
import { benchGateway, keepInFlight, withScratchDatabase } from "./harness.ts";
import { loadDuring, machine, recordResults } from "./machine.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 200);
const PAGE = 50;
sqlReadState.enabled = process.env.SQL_READ !== "0";
const NESTED_FIRST = 10;
// Per customer. Custom objects outnumber the page size so that "10 per customer" really limits.
const SEED = { identities: 2, sessions: 3, consents: 3, customObjects: 12 };

// The nested operation is shared with test/n-plus-one.test.ts (test/operations/nested-profile.graphql);
// NESTED_FIRST above is its `first:` on every nested list.
const ONE_QUERY = print(CustomerNestedDocument);
const PAGE_QUERY = print(CustomersNestedDocument);

// The same shape by hand: Relay global IDs are base64("Type:uuid"), DateTime is ISO 8601 in UTC
// with milliseconds, each nested list is the connection's first 10 in the connection's order.
const gid = (type: string, column: string) => `encode(convert_to('${type}:' || ${column}::text, 'UTF8'), 'base64')`;
const NODE_SQL = `json_build_object(
    'id', ${gid("Customer", "c.id")},
    'uid', c.uid,
    'firstName', c.first_name,
    'primaryEmail', (SELECT k.normalized FROM contact k WHERE k.customer_id = c.id AND k.kind = 'EMAIL' AND k."primary" LIMIT 1),
    'identities', json_build_object('edges', (
      SELECT coalesce(json_agg(json_build_object('node', json_build_object(
        'id', ${gid("Identity", "i.id")}, 'provider', i.provider, 'providerUserId', i.provider_user_id)) ORDER BY i.linked_at, i.id), '[]')
      FROM (SELECT * FROM identity WHERE customer_id = c.id ORDER BY linked_at, id LIMIT ${NESTED_FIRST}) i)),
    'sessions', json_build_object('edges', (
      SELECT coalesce(json_agg(json_build_object('node', json_build_object(
        'id', ${gid("Session", "s.id")}, 'browser', s.browser, 'active', s.revoked_at IS NULL AND s.expires_at > now(),
        'createdAt', to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))) ORDER BY s.created_at DESC, s.id DESC), '[]')
      FROM (SELECT * FROM session WHERE customer_id = c.id ORDER BY created_at DESC, id DESC LIMIT ${NESTED_FIRST}) s)),
    'consents', json_build_object('edges', (
      SELECT coalesce(json_agg(json_build_object('node', json_build_object(
        'id', ${gid("Consent", "g.id")}, 'purpose', g.purpose, 'version', g.version)) ORDER BY g.purpose, g.id), '[]')
      FROM (SELECT * FROM consent WHERE customer_id = c.id AND revoked_at IS NULL ORDER BY purpose, id LIMIT ${NESTED_FIRST}) g)),
    'customObjects', json_build_object('edges', (
      SELECT coalesce(json_agg(json_build_object('node', json_build_object(
        'id', ${gid("CustomObject", "o.id")}, 'name', o.name, 'data', o.data)) ORDER BY o.created_at DESC, o.id DESC), '[]')
      FROM (SELECT * FROM custom_object WHERE customer_id = c.id ORDER BY created_at DESC, id DESC LIMIT ${NESTED_FIRST}) o))
  )`;
const ONE_SQL = `SELECT json_build_object('data', json_build_object('customer', (
    SELECT ${NODE_SQL} FROM customer c WHERE c.id = $1 AND c.tenant_id = $2)))::text AS body`;
const PAGE_SQL = `SELECT json_build_object('data', json_build_object('customers', json_build_object('edges',
    coalesce(json_agg(json_build_object('node', p.node) ORDER BY p.created_at DESC, p.id DESC), '[]'))))::text AS body
  FROM (SELECT c.id, c.created_at, ${NODE_SQL} AS node FROM customer c WHERE c.tenant_id = $1
        ORDER BY c.created_at DESC, c.id DESC LIMIT ${PAGE}) p`;

/** Runs `job(0)` … `job(total - 1)`, `count` at a time. */
async function inParallel(count: number, total: number, job: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (next < total) await job(next++);
    }),
  );
}

async function seed(ctx: ServiceContext) {
  const started = Date.now();
  await inParallel(8, CUSTOMERS, async (i) => {
    const customer = await createCustomer(ctx, {
      firstName: `Customer ${i}`,
      emails: [{ value: `bench-${i}@example.com`, primary: true, verified: true }],
      identities: Array.from({ length: SEED.identities }, (_, k) => ({
        provider: k === 0 ? "password" : `idp-${k}`,
        providerUserId: `user-${i}`,
      })),
    });
    for (let k = 0; k < SEED.sessions; k++) {
      await createSession(ctx, customer.id, {
        ip: "203.0.113.7",
        userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
      });
    }
    for (let k = 0; k < SEED.consents; k++)
      await grantConsent(ctx, customer.id, { purpose: `purpose.${k}`, version: "1", source: "bench" });
    for (let k = 0; k < SEED.customObjects; k++) {
      await createCustomObject(ctx, customer.id, {
        name: k % 2 ? "wishlist" : "purchases",
        data: { sku: `sku-${i}-${k}`, qty: k, tags: ["a", "b"] },
      });
    }
  });
  console.log(`seeded ${CUSTOMERS} customers in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

interface Measured {
  rps: number;
  meanMs: number;
  requests: number;
}

/** Warms `send` up for a second, then keeps CONCURRENCY calls in flight for SECONDS. */
async function measure(send: () => Promise<unknown>): Promise<Measured> {
  const { ops, seconds } = await keepInFlight(CONCURRENCY, SECONDS, send);
  return { rps: ops / seconds, meanMs: (seconds * 1000 * CONCURRENCY) / ops, requests: ops };
}

async function main() {
  if (CUSTOMERS < PAGE) throw new Error(`BENCH_CUSTOMERS must be at least ${PAGE}, the page size`);
  await withScratchDatabase("profile", profile);
}

async function profile(databaseUrl: string) {
  const load = loadDuring();
  const app = await benchGateway(databaseUrl);
  const database = app.database;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  try {
    const db = database.prisma;
    const { tenant, credential, secret } = await createTenant(db, app.events, { slug: "bench" });
    const ctx = serviceContext({ db, events: app.events }, tenant.id, { kind: "ADMIN", id: credential.id });
    await seed(ctx);
    const version = (await pool.query<{ server_version: string }>("SHOW server_version")).rows[0].server_version;

    const headers = { "content-type": "application/json", "x-api-key": credential.keyId, "x-api-secret": secret };
    const gateway = (query: string, variables?: Record<string, unknown>) => async () => {
      const body = JSON.stringify({ query, variables });
      // As a real client over HTTP sends it: with its length (the body limit reads the header).
      const response = await app.yoga.fetch("http://bench.local/graphql", {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        body,
      });
      const answer = await response.text();
      if (response.status !== 200) throw new Error(`gateway answered ${response.status}: ${answer.slice(0, 500)}`);
      return answer;
    };
    const baseline = (sql: string, params: unknown[]) => async () => (await pool.query<{ body: string }>(sql, params)).rows[0].body;

    const someone = await db.customer.findFirstOrThrow({ where: { tenantId: tenant.id }, orderBy: { createdAt: "asc" } });
    const someoneId = Buffer.from(`Customer:${someone.id}`).toString("base64");
    const cases = [
      {
        label: `customer(id), 4 nested lists × ${NESTED_FIRST}`,
        gateway: gateway(ONE_QUERY, { id: someoneId }),
        baseline: baseline(ONE_SQL, [someone.id, tenant.id]),
      },
      {
        label: `customers(first: ${PAGE}), 4 nested lists × ${NESTED_FIRST}`,
        gateway: gateway(PAGE_QUERY, { first: PAGE }),
        baseline: baseline(PAGE_SQL, [tenant.id]),
      },
    ];

    // Both sides must answer the same rows in the same shape, or the comparison means nothing.
    for (const c of cases) {
      const fromGateway = JSON.parse(await c.gateway());
      const fromSql = JSON.parse(await c.baseline());
      deepStrictEqual(fromGateway, fromSql, `${c.label}: the gateway and the hand-written SQL disagree`);
    }
    const page = JSON.parse(await cases[1].gateway()).data.customers.edges;
    if (
      page.length !== PAGE ||
      page.some((e: { node: { customObjects: { edges: unknown[] } } }) => e.node.customObjects.edges.length !== NESTED_FIRST)
    ) {
      throw new Error("the page does not hold 50 customers with 10 custom objects each");
    }
    console.log(`responses identical; page body ${(await cases[1].baseline()).length} bytes`);

    if (process.env.BENCH_CPU) return await profileCases(cases);
    const rows: string[] = [];
    const results: { label: string; gateway: Measured; baseline: Measured }[] = [];
    for (const c of cases) {
      const g = await measure(c.gateway);
      sqlReadState.enabled = false;
      const n = await measure(c.gateway);
      sqlReadState.enabled = process.env.SQL_READ !== "0";
      const b = await measure(c.baseline);
      results.push({ label: c.label, gateway: g, baseline: b });
      const cell = (m: Measured) => `${m.rps.toFixed(0)} (${m.meanMs.toFixed(1)} ms)`;
      const line = `| ${c.label} | ${cell(g)} | ${cell(n)} | ${cell(b)} | ${(g.rps / b.rps).toFixed(2)} | ${(n.rps / b.rps).toFixed(2)} |`;
      rows.push(line);
      console.log(line);
    }

    const table = [
      "| case | gateway req/s (mean latency) | without the SQL read | hand-written SQL req/s (mean latency) | gateway / SQL | without / SQL |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      ...rows,
    ].join("\n");
    const goal = `Goal gateway / SQL ≥ 0.5: ${results.every((r) => r.gateway.rps / r.baseline.rps >= 0.5) ? "met" : "not met"}.`;
    console.log(`\n${table}\n\n${goal}`);
    recordResults(
      `\n## bench:profile — ${new Date().toISOString().slice(0, 10)}\n\n${machine()}, PostgreSQL ${version} (same machine). ${load()}\n` +
        `${CUSTOMERS} customers, each with ${SEED.identities} identities, ${SEED.sessions} sessions, ${SEED.consents} consents and ${SEED.customObjects} custom objects; ` +
        `${SECONDS} s per case after 1 s of warm-up, ${CONCURRENCY} requests in flight, in one process. Gateway: the real yoga handler ` +
        `(admin authentication, GraphQL, then the SQL read: one statement per root built from the selection and the Prisma model; ` +
        `without it: Pothos and Prisma over pg; 2 statements for customer(id), 3 for the page either way) answering the query text; ` +
        `SQL: one hand-written statement through pg building the same JSON body (checked identical before timing).\n\n${table}\n\n${goal}\n`,
    );
  } finally {
    await pool.end();
    await app.stop();
    await database.close();
  }
}

/** bench:cpu — one CPU profile per case of the gateway side, and its breakdown by package. */
async function profileCases(cases: { label: string; gateway: () => Promise<unknown> }[]) {
  for (const c of cases) {
    await measure(c.gateway); // warm: the JIT and the caches, as in a timed run
    const { result, profile } = await profiled(() => measure(c.gateway));
    const file = saveProfile(c.label, profile);
    console.log(
      `\n### ${c.label}\n\n${result.rps.toFixed(0)} req/s while profiled; profile: ${file}\n\n${breakdownTable(breakdown(profile))}`,
    );
  }
}

await main();
process.exit(0);
