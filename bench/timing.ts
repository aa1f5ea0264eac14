// `npm run bench:timing`: how long a failed signIn and a forgotPassword take for an existing
// identifier and for an unknown one — the timing side channel of account enumeration. Both paths
// should cost the same (same argon2 work, same statements); the figure is the difference of the
// means over BENCH_TRIES (default 200) tries each, interleaved, with a 95% interval.
//
// Runs on PostgreSQL: DATABASE_URL names the server (default postgresql://postgres@127.0.0.1:5432/postgres);
// a fresh database is created and dropped. argon2 at the configured cost (OWASP defaults unless
// ARGON2_* are set). Throttle, hard lock and per-target limits are lifted for the run: they would
// otherwise (rightly) cut in after a few failures. NO_RECORD=1 skips bench/RESULTS.md.
import { randomBytes } from "node:crypto";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { setPassword } from "../src/customers/passwords.ts";
import { createCustomer } from "../src/customers/service.ts";
import { openDatabase } from "../src/db/database.ts";
import { serviceContext } from "../src/service-context.ts";
import { createTenant } from "../src/tenants/service.ts";
import { withScratchDatabase } from "./harness.ts";
import { loadDuring, machine, recordResults } from "./machine.ts";

const TRIES = Number(process.env.BENCH_TRIES ?? 200);
const KNOWN = "known@example.com";
const UNKNOWN = "unknown@example.com";

interface Stats {
  mean: number;
  sd: number;
}
const stats = (xs: number[]): Stats => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) };
};

async function main() {
  await withScratchDatabase("timing", measure);
}

async function measure(databaseUrl: string) {
  const load = loadDuring();
  const database = await openDatabase({ kind: "postgres", url: databaseUrl });
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: "silent",
    BOOTSTRAP: "false",
    DATABASE_URL: databaseUrl,
    MASTER_KEY: randomBytes(32).toString("base64"),
    SIGN_IN_FREE_FAILURES_PER_IP: "100000",
    SIGN_IN_FREE_FAILURES: "100000",
    LOCKOUT_THRESHOLD: "100000",
    RATE_LIMIT_SIGN_IN_PER_ACCOUNT: "100000/60",
    RATE_LIMIT_RECOVERY_PER_TARGET: "100000/60",
  });
  const app = await createApp({ config, database });
  const rows: string[] = [];
  try {
    const db = database.prisma;
    const { tenant } = await createTenant(db, app.events, { slug: "bench" });
    const ctx = serviceContext({ db, events: app.events }, tenant.id, { kind: "SYSTEM", id: null });
    const customer = await createCustomer(ctx, { emails: [{ value: KNOWN }] });
    await setPassword(ctx, app.auth, customer.id, "correct horse battery staple");
    const version = (await db.$queryRawUnsafe<{ server_version: string }[]>("SHOW server_version"))[0].server_version;

    const post = (query: string, variables: Record<string, unknown>) => async () => {
      const response = await app.yoga.fetch("http://bench/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", "x-tenant": "bench" },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: Record<string, { __typename: string }> };
      const answer = Object.values(body.data ?? {})[0]?.__typename;
      if (answer !== "AuthenticationError" && answer !== "ForgotPasswordPayload")
        throw new Error(`unexpected answer: ${JSON.stringify(body)}`);
    };
    const SIGN_IN = `mutation ($i: String!) { signIn(identifier: $i, password: "not the password") { __typename } }`;
    const FORGOT = `mutation ($i: String!) { forgotPassword(identifier: $i) { __typename } }`;
    const cases = [
      { label: "signIn, wrong password vs unknown identifier", known: post(SIGN_IN, { i: KNOWN }), unknown: post(SIGN_IN, { i: UNKNOWN }) },
      { label: "forgotPassword, existing vs unknown identifier", known: post(FORGOT, { i: KNOWN }), unknown: post(FORGOT, { i: UNKNOWN }) },
    ];
    console.log(
      `bench:timing — ${TRIES} tries each, argon2id m=${config.auth.argon2.memoryCost} KiB, t=${config.auth.argon2.timeCost}; PostgreSQL ${version}`,
    );
    for (const c of cases) {
      for (let i = 0; i < 20; i++) await (i % 2 ? c.known : c.unknown)(); // warm-up
      const samples = { known: [] as number[], unknown: [] as number[] };
      for (let i = 0; i < TRIES; i++) {
        // Alternate which goes first, so that drift and caching hit both alike.
        for (const which of i % 2 ? (["known", "unknown"] as const) : (["unknown", "known"] as const)) {
          const start = performance.now();
          await c[which]();
          samples[which].push(performance.now() - start);
        }
      }
      const k = stats(samples.known);
      const u = stats(samples.unknown);
      const diff = k.mean - u.mean;
      const ci = 1.96 * Math.sqrt(k.sd ** 2 / TRIES + u.sd ** 2 / TRIES);
      const row = `| ${c.label} | ${k.mean.toFixed(2)} ± ${k.sd.toFixed(2)} | ${u.mean.toFixed(2)} ± ${u.sd.toFixed(2)} | ${diff >= 0 ? "+" : ""}${diff.toFixed(2)} ± ${ci.toFixed(2)} (${((100 * diff) / u.mean).toFixed(1)}%) |`;
      rows.push(row);
      console.log(row);
    }
    const table = [
      "| case | existing: mean ± sd ms | unknown: mean ± sd ms | difference of means, ± 95% interval |",
      "| --- | ---: | ---: | ---: |",
      ...rows,
    ].join("\n");
    recordResults(
      `\n## bench:timing — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC\n\n` +
        `${machine()}, PostgreSQL ${version} (same machine). ${load()}\n` +
        `${TRIES} tries of each path, interleaved, after 20 warm-up requests; in-process requests through the real yoga handler; ` +
        `argon2id m=${config.auth.argon2.memoryCost} KiB, t=${config.auth.argon2.timeCost}. Goal: the difference of the means within its noise.\n\n${table}\n`,
    );
  } finally {
    await app.stop();
    await database.close();
  }
}

await main();
