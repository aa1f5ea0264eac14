// `npm run bench:peer`: the gateway side by side with better-auth (a devDependency, pinned) and its
// admin plugin, on the same PostgreSQL server (DATABASE_URL, default the local one; each side its
// own scratch database), both in this process through their real HTTP handlers (ours app.yoga.fetch,
// theirs auth.handler(new Request(…))), on the same five operations at 1 and 8 in flight:
//   create a user with a password · sign in with email + password · get the session (`me` with
//   the access token / get-session with its cookie) · email-contains search, a page of 50 of the
//   1,000 matches among 10,000 users (with the total count: better-auth always counts) · block +
//   unblock (ban + unban),
// plus each side's raw password-hash verify (ours argon2id at the configured parameters, OWASP
// defaults unless ARGON2_* are set; theirs scrypt as better-auth ships it), so the hash can be told
// apart from the rest. Each case runs back to back in both orders (ours, theirs, theirs, ours).
// Rate limits are lifted on both sides. Statements per operation are counted on the client per
// database (bench/peer/common.ts says how). BENCH_SECONDS (default 5) per run after 1 s of
// warm-up. Appends to bench/RESULTS.md unless NO_RECORD is set. Goal (issue 10): ours ≥ 2× on every op.
import "../src/threadpool.ts"; // first, as in src/main.ts: argon2 and scrypt both run on libuv's pool
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { loadConfig } from "../src/config.ts";
import { keepInFlight, withScratchDatabase } from "./harness.ts";
import { loadDuring, machine, recordResults } from "./machine.ts";
import { OPS, PAGE, SEARCH_MATCHES, SEEDED, statementsSent, WORKERS, type Op, type OpName, type Side } from "./peer/common.ts";
import { CREATE_TAKES_PASSWORD, ours } from "./peer/ours.ts";
import { theirs } from "./peer/theirs.ts";

const PEER = JSON.parse(readFileSync(new URL("../node_modules/better-auth/package.json", import.meta.url), "utf8")) as { version: string };
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const IN_FLIGHT = [1, WORKERS];
type Case = OpName | "hash";
const LABELS: Record<Case, [ours: string, theirs: string]> = {
  create: [CREATE_TAKES_PASSWORD ? "createCustomer with a password" : "createCustomer + setPassword", "admin create-user"],
  signIn: ["signIn (X-Tenant)", "sign-in/email"],
  session: ["me (bearer token)", "get-session (cookie)"],
  search: [`customers(first: ${PAGE}, email contains)`, "admin list-users (email contains)"],
  block: ["blockCustomer + unblockCustomer", "admin ban-user + unban-user"],
  hash: ["argon2.verify", "scrypt verifyPassword"],
};

interface Run {
  rate: number;
  statements: number;
  transaction: number;
}

/** Keeps `inFlight` calls of `op` going: 1 s of warm-up, then SECONDS measured, counting statements. */
async function run(side: Side, op: Op, inFlight: number): Promise<Run> {
  let before = statementsSent(side.database);
  const { ops, seconds } = await keepInFlight(inFlight, SECONDS, op, () => (before = statementsSent(side.database)));
  const after = statementsSent(side.database);
  return { rate: ops / seconds, statements: (after.all - before.all) / ops, transaction: (after.transaction - before.transaction) / ops };
}

interface Row {
  label: string;
  inFlight: number;
  ours: Run[]; // [ours first, ours second]
  theirs: Run[]; // [theirs second, theirs first]
}

async function measureCase(sides: [Side, Side], kind: Case, inFlight: number): Promise<Row> {
  const prepared = await Promise.all(sides.map((s) => (kind === "hash" ? s.verifyHash : s.prepare(kind))));
  const one = async (i: 0 | 1) => run(sides[i], await prepared[i], inFlight);
  const order = [await one(0), await one(1), await one(1), await one(0)];
  const row = { label: kind, inFlight, ours: [order[0], order[3]], theirs: [order[1], order[2]] };
  console.log(line(row));
  return row;
}

const mean = (runs: Run[], key: keyof Run) => (runs[0][key] + runs[1][key]) / 2;
const statements = (runs: Run[]) => `${mean(runs, "statements").toFixed(1)} (${mean(runs, "transaction").toFixed(1)})`;
const ratios = (row: Row) => [row.ours[0].rate / row.theirs[0].rate, row.ours[1].rate / row.theirs[1].rate];
function line(row: Row): string {
  const [first, second] = ratios(row);
  const verdict = Math.min(first, second) >= 2 ? "met" : "not met";
  const [ourLabel, theirLabel] = LABELS[row.label as Case];
  const statementColumns = row.label === "hash" ? "– | –" : `${statements(row.ours)} | ${statements(row.theirs)}`;
  return (
    `| ${ourLabel} · ${theirLabel} | ${row.inFlight} | ${mean(row.ours, "rate").toFixed(1)} | ${mean(row.theirs, "rate").toFixed(1)} | ` +
    `${first.toFixed(2)} · ${second.toFixed(2)} | ${statementColumns} | ${row.label === "hash" ? "–" : verdict} |`
  );
}
const HEADER = [
  "| operation (ours · better-auth) | in flight | ours /s | better-auth /s | ours / better-auth (ours first · theirs first) | statements per op, ours (of which BEGIN/COMMIT) | better-auth | goal ≥ 2× |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
];

async function main() {
  const load = loadDuring();
  const rows = await withScratchDatabase("peer_ours", (ourUrl) =>
    withScratchDatabase("peer_theirs", async (theirUrl) => {
      const started = performance.now();
      const sides: [Side, Side] = [await ours(ourUrl), await theirs(theirUrl)];
      console.log(`both sides set up and seeded with ${SEEDED} users in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      console.log(HEADER.join("\n"));
      const measured: Row[] = [];
      try {
        for (const inFlight of IN_FLIGHT)
          for (const kind of [...OPS, "hash"] as Case[]) measured.push(await measureCase(sides, kind, inFlight));
      } finally {
        for (const side of sides) await side.close();
      }
      return measured;
    }),
  );
  const { memoryCost, timeCost, parallelism } = loadConfig({ ...process.env, BOOTSTRAP: "false" }).auth.argon2;
  const hashes = `argon2id m=${memoryCost} KiB, t=${timeCost}, p=${parallelism} (ours) · scrypt N=16384, r=16, p=1, 64-byte key (better-auth)`;
  const nonHash = rows.filter((r) => r.label !== "hash").flatMap(ratios);
  const goal = `Goal ours ≥ 2× better-auth on every operation: ${nonHash.every((r) => r >= 2) ? "met" : "not met"} (lowest ${Math.min(...nonHash).toFixed(2)}×).`;
  console.log(`\n${hashes}\n${goal}`);
  recordResults(
    [
      `\n## bench:peer — ${new Date().toISOString().slice(0, 10)}\n`,
      `${machine()}, ${availableParallelism()} cores available, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}. ${load()}`,
      `better-auth ${PEER.version} + admin plugin (Kysely over a pg Pool of 10, like ours), both in this process through their HTTP handlers, ` +
        `each on its own database of the same PostgreSQL server; ${SEEDED} users seeded by SQL on each side, the search matching ` +
        `${SEARCH_MATCHES}; ${SECONDS} s per run after 1 s of warm-up, each case run ours, theirs, theirs, ours (rates: the mean of ` +
        `both runs); rate limits lifted on both sides. ${hashes}. Statements counted on the client per database (node-postgres ` +
        `Client#query), BEGIN/COMMIT included and also shown in brackets.\n`,
      ...HEADER,
      ...rows.map(line),
      `\n${goal}\n`,
    ].join("\n"),
  );
}

await main();
process.exit(0);
