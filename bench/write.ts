// npm run bench:write — admin writes through the gateway's real HTTP handler (yoga.fetch with admin
// headers: authentication, GraphQL, the service, Prisma, one transaction with its audit event)
// against plain SQL through node-postgres writing the same rows in one transaction each — the row
// change, the tenant's audit-sequence bump and the audit_event insert — in the same run, on the
// same database. Ops: createCustomer (with an email), updateCustomer (one field), block + unblock,
// addEmail. Then createCustomer at 32 in flight on 1 tenant against the same spread over 16
// tenants: the per-tenant audit sequence must not cap a busy tenant (goal 1 tenant ≥ 0.8×).
// Also prints the statements each gateway op sends (BEGIN and COMMIT included), counted in a
// wrapper around Prisma's driver adapter as test/n-plus-one.test.ts counts them.
//
// Runs on PostgreSQL: DATABASE_URL names the server (default postgresql://postgres@127.0.0.1:5432/postgres);
// a fresh database bench_write_<random> is created, migrated and dropped at the end.
// BENCH_SECONDS (default 5) per case, BENCH_CONCURRENCY (default 8) writes in flight per op case,
// BENCH_TENANT_CONCURRENCY (default 32) for the tenant case, BENCH_CASES (default ops,tenants)
// which cases to time; BENCH_VERBOSE=1 prints each op's statements. NO_RECORD=1 skips bench/RESULTS.md.
// BENCH_WITHOUT=chain and/or sealing (comma-separated) measures the gateway without the audit hash
// chain trigger (disabled on the scratch database) or without a MASTER_KEY (no PII sealing): where
// the time of the trust features goes, in the same run conditions. Such a run is labelled so.
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { App } from "../src/app.ts";
import { createTenant } from "../src/tenants/service.ts";
import { benchGateway, keepInFlight, withScratchDatabase } from "./harness.ts";
import { loadDuring, machine, recordResults } from "./machine.ts";
import { countingAdapter } from "../test/helpers/database.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TENANT_CONCURRENCY = Number(process.env.BENCH_TENANT_CONCURRENCY ?? 32);
const TENANTS = 16;
// BENCH_CASES=tenants runs only the 1-vs-16-tenant case (ops: only the per-op cases).
const CASES = (process.env.BENCH_CASES ?? "ops,tenants").split(",");
const WITHOUT = (process.env.BENCH_WITHOUT ?? "").split(",").filter(Boolean);
const VARIANT = WITHOUT.length ? ` (without ${WITHOUT.join(" and ")})` : "";

/** What the gateway's driver adapter sends, BEGIN included (each is a round trip). */
const counter = { count: 0, sql: [] as string[] };
const counting = (factory: SqlDriverAdapterFactory) => countingAdapter(factory, counter, { beginToo: true });

const MUTATIONS = {
  create: `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { __typename ... on CreateCustomerPayload { customer { id } } ... on Error { code } } }`,
  update: `mutation ($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { __typename ... on Error { code } } }`,
  block: `mutation ($id: ID!) { blockCustomer(id: $id, reason: "bench") { __typename ... on Error { code } } }`,
  unblock: `mutation ($id: ID!) { unblockCustomer(id: $id) { __typename ... on Error { code } } }`,
  addEmail: `mutation ($id: ID!, $email: String!) { addEmail(customerId: $id, email: { address: $email }) { __typename ... on Error { code } } }`,
};

// The audit insert with the tenant's sequence bump, as one statement (what a hand-writer would do).
const AUDIT_SQL = `WITH s AS (UPDATE tenant SET audit_seq = audit_seq + 1 WHERE id = $1 RETURNING audit_seq)
  INSERT INTO audit_event (id, tenant_id, seq, type, actor_kind, actor_id, customer_id, ip, user_agent, request_id, data)
  SELECT $2, $1, s.audit_seq, $3, 'ADMIN', $4, $5, '127.0.0.1', 'bench', $6, $7 FROM s`;

interface Tenant {
  id: string;
  credentialId: string;
  headers: Record<string, string>;
}

/** Runs `job(worker)` from `inFlight` workers for SECONDS after 1 s of warm-up; returns ops/s. */
async function measure(inFlight: number, job: (worker: number) => Promise<void>): Promise<number> {
  const { ops, seconds } = await keepInFlight(inFlight, SECONDS, job);
  return ops / seconds;
}

function writers(app: App, pool: pg.Pool, tenants: Tenant[]) {
  let n = 0;
  const unique = () => `${process.pid}-${n++}`;
  const customers: string[] = []; // created by either side, reused by the other ops
  let next = 0;
  const someone = () => customers[next++ % customers.length];
  const gid = (id: string) => Buffer.from(`Customer:${id}`).toString("base64");

  const gql = async (tenant: Tenant, query: string, variables: Record<string, unknown>) => {
    const response = await app.yoga.fetch("http://bench.local/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...tenant.headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = await response.json();
    const result = Object.values(body.data ?? {})[0] as { __typename: string; customer?: { id: string } } | undefined;
    if (!result?.__typename.endsWith("Payload")) throw new Error(`gateway answered ${JSON.stringify(body).slice(0, 500)}`);
    return result;
  };
  const sql = async (work: (q: (text: string, params: unknown[]) => Promise<pg.QueryResult>) => Promise<void>) => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await work((text, params) => client.query(text, params));
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    } finally {
      client.release();
    }
  };
  const audit = (t: Tenant, type: string, customerId: string, data: unknown) =>
    [AUDIT_SQL, [t.id, randomUUID(), type, t.credentialId, customerId, randomUUID(), JSON.stringify(data)]] as [string, unknown[]];

  const gateway = {
    create: async (t: Tenant) => {
      const email = `g-${unique()}@example.com`;
      const { customer } = await gql(t, MUTATIONS.create, { input: { firstName: "Bench", emails: [{ address: email }] } });
      if (t === tenants[0]) customers.push(Buffer.from(customer!.id, "base64").toString().slice("Customer:".length));
    },
    update: async (t: Tenant) => void (await gql(t, MUTATIONS.update, { id: gid(someone()), input: { firstName: `G${unique()}` } })),
    blockUnblock: async (t: Tenant) => {
      const id = gid(someone());
      await gql(t, MUTATIONS.block, { id });
      await gql(t, MUTATIONS.unblock, { id });
    },
    addEmail: async (t: Tenant) => void (await gql(t, MUTATIONS.addEmail, { id: gid(someone()), email: `ga-${unique()}@example.com` })),
  };

  const plain = {
    create: (t: Tenant) =>
      sql(async (q) => {
        const [id, uid, email] = [randomUUID(), randomUUID().replaceAll("-", ""), `s-${unique()}@example.com`];
        await q(
          `INSERT INTO customer (id, tenant_id, uid, first_name, name_search, updated_at) VALUES ($1, $2, $3, 'Bench', 'bench', now())`,
          [id, t.id, uid],
        );
        await q(
          `INSERT INTO contact (id, tenant_id, customer_id, kind, value, normalized, "primary", verified) VALUES ($1, $2, $3, 'EMAIL', $4, $4, true, false)`,
          [randomUUID(), t.id, id, email],
        );
        await q(...audit(t, "customer.created", id, { uid, emails: [email], phones: [], identities: [] }));
        if (t === tenants[0]) customers.push(id);
      }),
    update: (t: Tenant) =>
      sql(async (q) => {
        const [id, name] = [someone(), `S${unique()}`];
        const { rows } = await q(
          `UPDATE customer c SET first_name = $3, name_search = lower($3), updated_at = now()
           FROM (SELECT id, first_name FROM customer WHERE id = $1 AND tenant_id = $2 FOR UPDATE) old WHERE c.id = old.id RETURNING old.first_name`,
          [id, t.id, name],
        );
        await q(...audit(t, "customer.updated", id, { changes: { firstName: { from: rows[0].first_name, to: name } } }));
      }),
    blockUnblock: async (t: Tenant) => {
      const id = someone();
      await sql(async (q) => {
        const { rows } = await q(
          `UPDATE customer c SET status = 'BLOCKED', block_reason = 'bench', blocked_until = NULL, updated_at = now()
           FROM (SELECT id, status, block_reason FROM customer WHERE id = $1 AND tenant_id = $2 FOR UPDATE) old WHERE c.id = old.id
           RETURNING old.status, old.block_reason`,
          [id, t.id],
        );
        await q(
          `UPDATE session SET revoked_at = now(), revoked_by = 'ADMIN' WHERE customer_id = $1 AND revoked_at IS NULL AND expires_at > now()`,
          [id],
        );
        const changes = { status: { from: rows[0].status, to: "BLOCKED" }, blockReason: { from: rows[0].block_reason, to: "bench" } };
        await q(...audit(t, "customer.blocked", id, { changes }));
      });
      await sql(async (q) => {
        const { rows } = await q(
          `UPDATE customer c SET status = 'ACTIVE', block_reason = NULL, blocked_until = NULL, failed_sign_ins = 0, failed_sign_ins_since = NULL, updated_at = now()
           FROM (SELECT id, status, block_reason, failed_sign_ins FROM customer WHERE id = $1 AND tenant_id = $2 FOR UPDATE) old WHERE c.id = old.id
           RETURNING old.status, old.block_reason, old.failed_sign_ins`,
          [id, t.id],
        );
        const changes = { status: { from: rows[0].status, to: "ACTIVE" }, blockReason: { from: rows[0].block_reason, to: null } };
        await q(...audit(t, "customer.unblocked", id, { changes, clearedFailedSignIns: rows[0].failed_sign_ins }));
      });
    },
    addEmail: (t: Tenant) =>
      sql(async (q) => {
        const [id, email] = [someone(), `sa-${unique()}@example.com`];
        await q(`UPDATE customer SET updated_at = now() WHERE id = $1 AND tenant_id = $2`, [id, t.id]);
        await q(
          `INSERT INTO contact (id, tenant_id, customer_id, kind, value, normalized, "primary", verified) VALUES ($1, $2, $3, 'EMAIL', $4, $4, false, false)`,
          [randomUUID(), t.id, id, email],
        );
        await q(...audit(t, "customer.email_added", id, { email, primary: false, verified: false }));
      }),
  };
  return { gateway: { ...gateway, gql }, plain, customers };
}

async function main() {
  await withScratchDatabase("write", bench);
}

async function bench(databaseUrl: string) {
  const load = loadDuring();
  const app = await benchGateway(databaseUrl, counting, WITHOUT.includes("sealing") ? { MASTER_KEY: "" } : {});
  const database = app.database;
  if (WITHOUT.includes("chain")) await database.prisma.$executeRawUnsafe("ALTER TABLE audit_event DISABLE TRIGGER audit_event_chain");
  // The same pool size as the gateway's (src/db/database.ts), so both sides get as many connections.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  try {
    const tenants: Tenant[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const { tenant, credential, secret } = await createTenant(database.prisma, app.events, { slug: `bench-${i}` });
      tenants.push({ id: tenant.id, credentialId: credential.id, headers: { "x-api-key": credential.keyId, "x-api-secret": secret } });
    }
    const version = (await pool.query<{ server_version: string }>("SHOW server_version")).rows[0].server_version;
    const { gateway, plain, customers } = writers(app, pool, tenants);
    const one = tenants[0];
    const ops = ["create", "update", "blockUnblock", "addEmail"] as const;
    const labels = {
      create: "createCustomer",
      update: "updateCustomer",
      blockUnblock: "blockCustomer + unblockCustomer",
      addEmail: "addEmail",
    };

    // Statements per op, counted one op at a time (after a warm-up one, so that authentication's
    // once-a-minute lastUsedAt stamp is not in the count).
    for (let i = 0; i < 20; i++) await gateway.create(one);
    const statements: Record<string, number> = {};
    for (const op of ops) {
      await gateway[op](one);
      counter.count = 0;
      counter.sql = [];
      await gateway[op](one);
      statements[op] = counter.count;
      if (process.env.BENCH_VERBOSE) console.log(`${labels[op]}:\n  ${counter.sql.join("\n  ")}`);
    }
    // Counted only, not timed: the argon2 hash dominates it (bench:signin measures hashing).
    counter.count = 0;
    const withPassword = { input: { emails: [{ address: `p-${randomUUID()}@example.com` }], password: `bench ${randomUUID()}` } };
    await gateway.gql(one, MUTATIONS.create, withPassword);
    const passwordStatements = counter.count;

    const rows: string[] = [];
    const results: number[] = [];
    for (const op of CASES.includes("ops") ? ops : []) {
      const g = await measure(CONCURRENCY, () => gateway[op](one));
      const s = await measure(CONCURRENCY, () => plain[op](one));
      results.push(g / s);
      const line = `| ${labels[op]} | ${statements[op]} | ${g.toFixed(0)} | ${s.toFixed(0)} | ${(g / s).toFixed(2)} |`;
      rows.push(line);
      console.log(line);
    }
    const spread = async (write: (t: Tenant) => Promise<void>) => ({
      one: await measure(TENANT_CONCURRENCY, () => write(one)),
      many: await measure(TENANT_CONCURRENCY, (w) => write(tenants[w % TENANTS])),
    });
    const none = { one: NaN, many: NaN };
    const g = CASES.includes("tenants") ? await spread(gateway.create) : none;
    const s = CASES.includes("tenants") ? await spread(plain.create) : none;
    const tenantRows = [
      `| gateway createCustomer | ${g.one.toFixed(0)} | ${g.many.toFixed(0)} | ${(g.one / g.many).toFixed(2)} |`,
      `| plain SQL createCustomer | ${s.one.toFixed(0)} | ${s.many.toFixed(0)} | ${(s.one / s.many).toFixed(2)} |`,
    ];

    const table = [
      `| op (${CONCURRENCY} in flight) | gateway statements per op | gateway writes/s | plain SQL writes/s | gateway / SQL |`,
      "| --- | ---: | ---: | ---: | ---: |",
      ...rows,
    ].join("\n");
    const tenantTable = [
      `| ${TENANT_CONCURRENCY} in flight | 1 tenant writes/s | ${TENANTS} tenants writes/s | 1 / ${TENANTS} |`,
      "| --- | ---: | ---: | ---: |",
      ...tenantRows,
    ].join("\n");
    const goal =
      `Goal gateway / SQL ≥ 0.5: ${results.every((r) => r >= 0.5) ? "met" : "not met"}; ` +
      `1 tenant ≥ 0.8× of ${TENANTS}: ${g.one / g.many >= 0.8 ? "met" : "not met"}.`;
    const password = `createCustomer with an email and an initial password, one request: ${passwordStatements} statements (not timed: argon2 dominates it).`;
    console.log(
      `\n${table}\n\n${password}\n\n${tenantTable}\n\n${goal}\n(${customers.length} customers written to tenant 1 along the way)`,
    );
    // A partial run (BENCH_CASES) is not a result.
    if (CASES.includes("ops") && CASES.includes("tenants"))
      recordResults(
        `\n## bench:write${VARIANT} — ${new Date().toISOString().slice(0, 10)}\n\n${machine()}, PostgreSQL ${version} (same machine). ${load()}\n` +
          `${SECONDS} s per case after 1 s of warm-up, in one process. Gateway: the real yoga handler (admin authentication, GraphQL, ` +
          `the service, Prisma over pg, one transaction with its audit event; the response asks for the payload's type only, the id on create). ` +
          `Plain SQL: node-postgres, one transaction per write with the same rows (the audit insert and the tenant's sequence bump as one ` +
          `statement). Statements per op include BEGIN and COMMIT.\n\n${table}\n\n${password}\n\n${tenantTable}\n\n${goal}\n`,
      );
  } finally {
    await pool.end();
    await app.stop();
    await database.close();
  }
}

await main();
process.exit(0);
