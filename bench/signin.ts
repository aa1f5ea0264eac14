// `npm run bench:signin`: customer sign-in throughput against raw argon2.verify at the same
// parameters (goal: ≥ 0.9× — argon2 should dominate), and `me` throughput with an access token
// against the same query without one. In process (yoga.fetch, no sockets), on an in-memory PGlite
// database, at the configured argon2 parameters (OWASP defaults unless ARGON2_* are set).
// Appends the results to bench/RESULTS.md under "## bench:signin".
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { availableParallelism } from "node:os";
import argon2 from "argon2";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/database.ts";
import { createCustomer } from "../src/customers/service.ts";
import { setPassword } from "../src/customers/passwords.ts";
import { serviceContext } from "../src/service-context.ts";
import { createTenant } from "../src/tenants/service.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PASSWORD = "correct horse battery staple";

/** Runs `op` from CONCURRENCY workers for SECONDS; returns operations per second. */
async function throughput(name: string, op: (i: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < CONCURRENCY; i++) await op(i); // warm-up
  const end = performance.now() + SECONDS * 1000;
  let count = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      while (performance.now() < end) {
        await op(w);
        count++;
      }
    }),
  );
  const rate = count / ((performance.now() - start) / 1000);
  console.log(`  ${name.padEnd(46)} ${rate.toFixed(1).padStart(9)} /s  (${count} in ${SECONDS} s, ${CONCURRENCY} concurrent)`);
  return rate;
}

// Thousands of sign-ins a minute per account are the point here, not an attack: lift that limit.
const config = loadConfig({
  RATE_LIMIT_SIGN_IN_PER_ACCOUNT: "9999999/60",
  ...process.env,
  LOG_LEVEL: "silent",
  BOOTSTRAP: "false",
  MASTER_KEY: randomBytes(32).toString("base64"),
});
const database = await openDatabase({ kind: "pglite" });
const app = await createApp({ config, database });
const db = database.prisma;
const { tenant } = await createTenant(db, app.events, { slug: "bench" });
const admin = serviceContext({ db, events: app.events }, tenant.id, { kind: "SYSTEM", id: "bench" });

// One customer per worker, so lockout bookkeeping and row locks never contend between workers.
const emails: string[] = [];
for (let i = 0; i < CONCURRENCY; i++) {
  const c = await createCustomer(admin, { firstName: `Bench${i}`, emails: [{ value: `bench${i}@example.com` }] });
  await setPassword(admin, app.auth, c.id, PASSWORD);
  emails.push(`bench${i}@example.com`);
}
const hash = (await db.customer.findFirstOrThrow({ where: { tenantId: tenant.id } })).passwordHash!;
const params = config.auth.argon2;

const post = async (query: string, variables: Record<string, unknown>, headers: Record<string, string>) => {
  const response = await app.yoga.fetch("http://bench/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "bench", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, Record<string, unknown>>; errors?: unknown[] };
};
const SIGN_IN = `mutation($identifier: String!, $password: String!) {
  signIn(identifier: $identifier, password: $password) { __typename ... on SignInPayload { accessToken } }
}`;
const ME = `{ me { id firstName lastName primaryEmail emails { address verified } status } }`;

console.log(`bench:signin — argon2id m=${params.memoryCost} KiB, t=${params.timeCost}, p=${params.parallelism}; PGlite in memory`);
const raw = await throughput("argon2.verify (raw)", async () => {
  if (!(await argon2.verify(hash, PASSWORD))) throw new Error("verify failed");
});
const signIns = await throughput("signIn mutation (full: verify + session + JWT)", async (w) => {
  const res = await post(SIGN_IN, { identifier: emails[w], password: PASSWORD }, { "x-tenant": "bench" });
  if (res.data?.signIn.__typename !== "SignInPayload") throw new Error(JSON.stringify(res));
});
const { data } = await post(SIGN_IN, { identifier: emails[0], password: PASSWORD }, { "x-tenant": "bench" });
const token = data!.signIn.accessToken as string;
const withJwt = await throughput("me with access token", async () => {
  const res = await post(ME, {}, { authorization: `Bearer ${token}` });
  if (!res.data?.me) throw new Error(JSON.stringify(res));
});
const noAuth = await throughput("same query, no auth (answers UNAUTHENTICATED)", async () => {
  const res = await post(ME, {}, {});
  if (!res.errors) throw new Error(JSON.stringify(res));
});
await app.stop();
await database.close();

const signInRatio = signIns / raw;
const meRatio = withJwt / noAuth;
console.log(`\n  sign-in / raw argon2.verify: ${signInRatio.toFixed(2)}× (goal ≥ 0.90×) ${signInRatio >= 0.9 ? "met" : "NOT met"}`);
console.log(`  me with JWT / no auth:       ${meRatio.toFixed(2)}×`);

const cpuModel = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpus()[0]?.model ?? "unknown";
const block = [
  `### ${new Date().toISOString()}`,
  "",
  `Machine: ${availableParallelism()} cores (nproc), ${cpuModel}, Node ${process.version}. Shared with other work: single run, expect noise.`,
  `Settings: argon2id m=${params.memoryCost} KiB, t=${params.timeCost}, p=${params.parallelism}; ${CONCURRENCY} concurrent, ${SECONDS} s per phase; PGlite in memory, in-process requests.`,
  "",
  "| measurement | ops/s |",
  "|---|---:|",
  `| argon2.verify (raw) | ${raw.toFixed(1)} |`,
  `| signIn mutation | ${signIns.toFixed(1)} |`,
  `| me with access token | ${withJwt.toFixed(1)} |`,
  `| same query, no auth | ${noAuth.toFixed(1)} |`,
  "",
  `Sign-in / raw verify: **${signInRatio.toFixed(2)}×** (goal ≥ 0.9×, ${signInRatio >= 0.9 ? "met" : "not met"}). me with JWT / no auth: **${meRatio.toFixed(2)}×**.`,
  "",
].join("\n");

// Append under our own heading; leave every other section as it is.
const path = new URL("./RESULTS.md", import.meta.url);
const HEADING = "## bench:signin";
let text = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmark results\n";
const at = text.indexOf(`\n${HEADING}\n`);
if (at === -1) {
  text = `${text.replace(/\n*$/, "\n")}\n${HEADING}\n\n${block}`;
} else {
  const next = text.indexOf("\n## ", at + HEADING.length + 1);
  const end = next === -1 ? text.length : next + 1;
  text = `${text.slice(0, end).replace(/\n*$/, "\n")}\n${block}${next === -1 ? "" : `\n${text.slice(end)}`}`;
}
writeFileSync(path, text);
console.log(`\nAppended to bench/RESULTS.md under "${HEADING}".`);
