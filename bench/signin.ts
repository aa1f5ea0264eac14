// `npm run bench:signin`: customer sign-in throughput against raw argon2.verify at the same
// parameters (goal ≥ 0.9×: argon2 should dominate), and `me` with an access token against its
// floor — jose's verification of the same token plus one hand-written SQL read of the same
// session, customer and emails through pg (goal ≥ 0.5×). On PostgreSQL (a scratch database on
// DATABASE_URL's server) and on in-memory PGlite (sign-in only: PGlite has no pg client to
// compare with). In process (yoga.fetch, no sockets), at the configured argon2 parameters (OWASP
// defaults unless ARGON2_* are set). Appends the results to bench/RESULTS.md.
import "../src/threadpool.ts"; // first, as in src/main.ts: the pool argon2 runs on, sized to the cores
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import argon2 from "argon2";
import { jwtVerify } from "jose";
import pg from "pg";
import { createApp, type App } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { openDatabase, type DatabaseOptions } from "../src/db/database.ts";
import { createCustomer } from "../src/customers/service.ts";
import { setPassword } from "../src/customers/passwords.ts";
import { serviceContext } from "../src/service-context.ts";
import { createTenant } from "../src/tenants/service.ts";
import { keepInFlight, withScratchDatabase } from "./harness.ts";
import { loadDuring, machine, recordResults } from "./machine.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PASSWORD = "correct horse battery staple";
const SIGN_IN = `mutation($identifier: String!, $password: String!) {
  signIn(identifier: $identifier, password: $password) { __typename ... on SignInPayload { accessToken } }
}`;
const ME = `{ me { id firstName lastName primaryEmail emails { address verified } status } }`;
// The floor for ME: the same session check and the same data in one statement.
const ME_SQL = `
  SELECT json_build_object('id', c.id, 'firstName', c.first_name, 'lastName', c.last_name, 'status', c.status,
    'emails', (SELECT coalesce(json_agg(json_build_object('address', e.value, 'verified', e.verified, 'primary', e.primary)
                 ORDER BY e.created_at), '[]') FROM contact e WHERE e.customer_id = c.id AND e.kind = 'EMAIL'))::text AS body
  FROM session s JOIN customer c ON c.id = s.customer_id AND c.tenant_id = s.tenant_id
  WHERE s.id = $1 AND s.tenant_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
    AND (s.idle_expires_at IS NULL OR s.idle_expires_at > now())`;

/** Runs `op` from CONCURRENCY workers for SECONDS after 1 s of warm-up; returns operations per second. */
async function throughput(name: string, op: (worker: number) => Promise<void>): Promise<number> {
  const { ops, seconds } = await keepInFlight(CONCURRENCY, SECONDS, op);
  const rate = ops / seconds;
  console.log(`  ${name.padEnd(52)} ${rate.toFixed(1).padStart(9)} /s`);
  return rate;
}

// Thousands of sign-ins a minute per account are the point here, not an attack: lift that limit.
const config = (database: DatabaseOptions) =>
  loadConfig({
    RATE_LIMIT_SIGN_IN_PER_ACCOUNT: "9999999/60",
    ...process.env,
    ...(database.kind === "postgres" ? { DATABASE_URL: database.url } : {}),
    LOG_LEVEL: "silent",
    BOOTSTRAP: "false",
    MASTER_KEY: randomBytes(32).toString("base64"),
  });

/** One customer with a password per worker, so lockout bookkeeping and row locks never contend. */
async function seed(app: App): Promise<string[]> {
  const db = app.database.prisma;
  const { tenant } = await createTenant(db, app.events, { slug: "bench" });
  const admin = serviceContext({ db, events: app.events }, tenant.id, { kind: "SYSTEM", id: "bench" });
  const emails: string[] = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    const c = await createCustomer(admin, { firstName: `Bench${i}`, emails: [{ value: `bench${i}@example.com` }] });
    await setPassword(admin, app.auth, c.id, PASSWORD);
    emails.push(`bench${i}@example.com`);
  }
  return emails;
}

interface Figures {
  raw: number;
  signIns: number;
  me?: { gateway: number; floor: number };
}

async function measure(database: DatabaseOptions): Promise<Figures> {
  const app = await createApp({ config: config(database), database: await openDatabase(database) });
  try {
    const emails = await seed(app);
    const hash = (await app.database.prisma.customer.findFirstOrThrow({ where: { passwordHash: { not: null } } })).passwordHash!;
    const post = async (query: string, variables: Record<string, unknown>, headers: Record<string, string>) => {
      const body = JSON.stringify({ query, variables });
      const response = await app.yoga.fetch("http://bench/graphql", {
        method: "POST",
        // As a real client over HTTP sends it: with its length (the body limit reads the header).
        headers: {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          "user-agent": "bench",
          ...headers,
        },
        body,
      });
      return (await response.json()) as { data?: Record<string, Record<string, unknown>>; errors?: unknown[] };
    };
    console.log(`\n${database.kind}:`);
    const raw = await throughput("argon2.verify (raw)", async () => {
      if (!(await argon2.verify(hash, PASSWORD))) throw new Error("verify failed");
    });
    const signIns = await throughput("signIn mutation (verify + session + JWT)", async (w) => {
      const res = await post(SIGN_IN, { identifier: emails[w], password: PASSWORD }, { "x-tenant": "bench" });
      if (res.data?.signIn.__typename !== "SignInPayload") throw new Error(JSON.stringify(res));
    });
    if (database.kind !== "postgres") return { raw, signIns };
    const { data } = await post(SIGN_IN, { identifier: emails[0], password: PASSWORD }, { "x-tenant": "bench" });
    const token = data!.signIn.accessToken as string;
    const gateway = await throughput("me with an access token", async () => {
      const res = await post(ME, {}, { authorization: `Bearer ${token}` });
      if (!res.data?.me) throw new Error(JSON.stringify(res));
    });
    const pool = new pg.Pool({ connectionString: database.url, max: CONCURRENCY });
    const floor = await throughput("floor: jose verify + one SQL read (pg)", async () => {
      const { payload, protectedHeader } = await jwtVerify(token, async (header) => (await app.auth.keys.verificationKey(header.kid))!, {
        issuer: app.auth.config.issuer,
      });
      if (!protectedHeader.kid) throw new Error("no kid");
      const { rows } = await pool.query<{ body: string }>(ME_SQL, [payload.sid, payload.tenant]);
      if (!rows[0]) throw new Error("session not found");
      JSON.stringify({ data: { me: JSON.parse(rows[0].body) } });
    });
    await pool.end();
    return { raw, signIns, me: { gateway, floor } };
  } finally {
    await app.stop();
    await app.database.close();
  }
}

const load = loadDuring();
const postgres = await withScratchDatabase("signin", (url) => measure({ kind: "postgres", url }));
const pglite = await measure({ kind: "pglite" });
const params = loadConfig({ ...process.env, BOOTSTRAP: "false" }).auth.argon2;

const ratio = (a: number, b: number) => (a / b).toFixed(2);
const verdict = (value: number, goal: number) => (value >= goal ? "met" : "not met");
const rows = [
  ["sign-in / raw argon2.verify, PostgreSQL", postgres.signIns, postgres.raw, 0.9],
  ["sign-in / raw argon2.verify, PGlite", pglite.signIns, pglite.raw, 0.9],
  ["me with a token / jose + one SQL read, PostgreSQL", postgres.me!.gateway, postgres.me!.floor, 0.5],
] as const;
console.log("");
for (const [name, a, b, goal] of rows) console.log(`  ${name}: ${ratio(a, b)}× (goal ≥ ${goal}×, ${verdict(a / b, goal)})`);

recordResults(
  [
    `\n## bench:signin — ${new Date().toISOString().slice(0, 10)}\n`,
    `${machine()}, ${availableParallelism()} cores available. ${load()}`,
    `argon2id m=${params.memoryCost} KiB, t=${params.timeCost}, p=${params.parallelism}; ${CONCURRENCY} in flight, ${SECONDS} s per case, ` +
      `in-process requests (yoga.fetch); UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}.\n`,
    "| case | gateway /s | baseline /s | ratio | goal |",
    "| --- | ---: | ---: | ---: | --- |",
    ...rows.map(
      ([name, a, b, goal]) => `| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${ratio(a, b)} | ≥ ${goal} (${verdict(a / b, goal)}) |`,
    ),
    "",
  ].join("\n"),
);
