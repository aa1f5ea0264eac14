// npm run bench:soak — a real gateway process on PostgreSQL under normal traffic (admin reads and
// writes, a signed-in customer's `me`, sign-ins) first alone, then mixed with anonymous abuse
// (oversized bodies, distinct large queries, alias/depth/overlap bombs, sign-in floods). Prints
// the gateway's RSS over time (it must plateau: no growth over the last 30 s beyond noise) and
// normal traffic's p99 without and with the abuse (goal ≤ 2×).
//
// DATABASE_URL names the server (default postgresql://postgres@127.0.0.1:5432/postgres); a fresh
// database bench_soak_<random> is created and dropped. SOAK_SECONDS (default 60) of abuse,
// BASELINE_SECONDS (default 20) without. SOAK_SKIP=<text> leaves out abuse kinds whose label
// contains it. NO_RECORD=1 skips bench/RESULTS.md.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createLocalEventBus } from "../src/events/bus.ts";
import { openDatabase } from "../src/db/database.ts";
import { createTenant } from "../src/tenants/service.ts";
import { startGatewayProcess, withScratchDatabase } from "./harness.ts";
import { loadDuring, machine, recordResults } from "./machine.ts";

const SOAK = Number(process.env.SOAK_SECONDS ?? 60);
const BASELINE = Number(process.env.BASELINE_SECONDS ?? 20);
const NORMAL_WORKERS = 4;
const ABUSE_WORKERS = 3;
const PASSWORD = "correct horse battery staple";

const rssMiB = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024);
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: body as BodyInit,
  });
  const text = await response.text();
  return { status: response.status, text };
}
const gql = (url: string, query: string, variables: unknown, headers: Record<string, string>) =>
  post(url, JSON.stringify({ query, variables }), headers);

async function main() {
  await withScratchDatabase("soak", soak);
}

async function soak(databaseUrl: string) {
  let gateway: ChildProcess | undefined;
  try {
    const database = await openDatabase({ kind: "postgres", url: databaseUrl });
    const { credential, secret, tenant } = await createTenant(database.prisma, createLocalEventBus(), { slug: "soak" });
    await database.close();
    // Normal users and the attacker come from different addresses (X-Forwarded-For, as behind a
    // proxy): per-IP limits then stop the attacker, not the users. The admin credential's own
    // limit is lifted: normal admin traffic here runs as fast as four workers can send it.
    const started = await startGatewayProcess({
      DATABASE_URL: databaseUrl,
      REDIS_URL: "",
      MASTER_KEY: randomBytes(32).toString("base64"),
      TRUST_PROXY: "true",
      RATE_LIMIT_ADMIN_PER_CREDENTIAL: "9999999/60",
    });
    gateway = started.child;
    const url = started.url;
    const user = { "x-forwarded-for": "198.51.100.7" };
    const attacker = { "x-forwarded-for": "203.0.113.66" };
    const adminHeaders = { "x-api-key": credential.keyId, "x-api-secret": secret, ...user };
    const publicHeaders = { "x-tenant": tenant.slug, ...user };
    const attackerPublic = { "x-tenant": tenant.slug, ...attacker };

    // Seed through the API: 50 customers, one with a password to sign in with.
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await gql(
        url,
        `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { ... on CreateCustomerPayload { customer { id } } } }`,
        { input: { firstName: `Soak${i}`, emails: [{ address: `soak${i}@example.com` }] } },
        adminHeaders,
      );
      ids.push(JSON.parse(res.text).data.createCustomer.customer.id);
    }
    // Ten customers with passwords, signing in from ten addresses of their own: real users, each
    // well inside the per-account and per-IP sign-in limits (an attacker is what those are for).
    const USERS = 10;
    for (let i = 0; i < USERS; i++) {
      await gql(
        url,
        `mutation($id: ID!, $p: String!) { setPassword(customerId: $id, password: $p) { __typename } }`,
        { id: ids[i], p: PASSWORD },
        adminHeaders,
      );
    }
    let signIns = 0;
    const signIn = () => {
      const i = signIns++ % USERS;
      const headers = { ...publicHeaders, "x-forwarded-for": `198.51.100.${10 + i}` };
      return gql(
        url,
        `mutation($i: String!, $p: String!) { signIn(identifier: $i, password: $p) { __typename ... on SignInPayload { accessToken } } }`,
        { i: `soak${i}@example.com`, p: PASSWORD },
        headers,
      );
    };
    const token = JSON.parse((await signIn()).text).data.signIn.accessToken as string;

    const normalOps: (() => Promise<{ status: number }>)[] = [
      () => gql(url, `{ customers(first: 20) { edges { node { id firstName primaryEmail } } } }`, {}, adminHeaders),
      () =>
        gql(
          url,
          `query($id: ID!) { customer(id: $id) { id firstName sessions(first: 5) { edges { node { id } } } } }`,
          { id: ids[Math.floor(Math.random() * ids.length)] },
          adminHeaders,
        ),
      () =>
        gql(
          url,
          `mutation($id: ID!, $n: String!) { updateCustomer(id: $id, input: { nickname: $n }) { __typename } }`,
          { id: ids[1 + Math.floor(Math.random() * 49)], n: `n${Math.random()}` },
          adminHeaders,
        ),
      () => gql(url, `{ me { id firstName } }`, {}, { authorization: `Bearer ${token}`, ...user }),
    ];
    let op = 0;
    const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(" ");
    // Abuse bodies are built once: the load generator shares the cores and the event loop with the
    // normal traffic it times, so building 10 MB per request would show up as the gateway's latency.
    // "Distinct" queries differ in a random prefix of a shared, prebuilt tail.
    const padding = (bytes: number) => Buffer.from(` ${"z".repeat(bytes)}" }`);
    const distinct = (tail: Buffer) => Buffer.concat([Buffer.from(`{ "query": "{ __typename } # ${randomBytes(8).toString("hex")}`), tail]);
    const tail10MB = padding(10_000_000);
    const tail30KB = padding(30_000);
    const body2MB = JSON.stringify({ query: "{ __typename }", variables: { x: "y".repeat(2_000_000) } });
    const allAbuse: [string, () => Promise<{ status: number }>][] = [
      ["2 MB body", () => post(url, body2MB, attacker)],
      ["10 MB distinct query", () => post(url, distinct(tail10MB), attacker)],
      ["30 KB distinct query", () => post(url, distinct(tail30KB), attacker)],
      [
        "alias bomb",
        () => post(url, JSON.stringify({ query: `{ ${many(1000, (i) => `c${i}: customers(first: 100) { totalCount }`)} }` }), attacker),
      ],
      ["overlap bomb", () => post(url, JSON.stringify({ query: `{ ${many(3000, (i) => `node(id: "${i}") { id }`)} }` }), attacker)],
      [
        "depth bomb",
        () =>
          post(
            url,
            JSON.stringify({
              query: `{ node(id: "x") { ${"... on Customer { customObjects { edges { node { customer { ".repeat(200)} id ${"} } } } } ".repeat(200)} } }`,
            }),
            attacker,
          ),
      ],
      // Against a customer normal traffic does not sign in as: the account-wide throttle would
      // (by design) make that customer's own sign-ins wait, which is not what this measures.
      [
        "sign-in flood (10 aliased + 10 parallel)",
        async () => {
          const aliased = post(
            url,
            JSON.stringify({
              query: `mutation { ${many(10, (i) => `a${i}: signIn(identifier: "soak20@example.com", password: "wrong${i}") { __typename }`)} }`,
            }),
            attackerPublic,
          );
          const parallel = Array.from({ length: 10 }, (_, i) =>
            gql(
              url,
              `mutation($p: String!) { signIn(identifier: "nobody${i}@example.com", password: $p) { __typename } }`,
              { p: `w${i}` },
              attackerPublic,
            ),
          );
          const all = await Promise.all([aliased, ...parallel]);
          return { status: Math.max(...all.map((r) => r.status)) };
        },
      ],
    ];

    // SOAK_SKIP=sign-in leaves out abuse kinds whose label contains it (to see where time goes).
    const skip = process.env.SOAK_SKIP;
    const abuseOps = allAbuse.filter(([label]) => !skip || !label.includes(skip));
    const latencies = { baseline: [] as number[], abuse: [] as number[] };
    const normalErrors = { baseline: 0, abuse: 0 };
    const abuseStatus = new Map<string, Map<number, number>>();
    const abuseMs = new Map<string, number[]>();
    let phase: "baseline" | "abuse" | "done" = "baseline";
    const normalWorker = async () => {
      while (phase !== "done") {
        const current = phase;
        const t = performance.now();
        // Every 100th normal operation is a sign-in with the right password (a few a second).
        const res = ++op % 100 === 0 ? await signIn() : await normalOps[op % normalOps.length]();
        latencies[current].push(performance.now() - t);
        if (res.status !== 200) normalErrors[current]++;
      }
    };
    const abuseWorker = async (offset: number) => {
      for (let i = offset; phase === "abuse"; i++) {
        const [label, run] = abuseOps[i % abuseOps.length];
        const t = performance.now();
        const res = await run().catch(() => ({ status: 0 }));
        abuseMs.set(label, [...(abuseMs.get(label) ?? []), performance.now() - t]);
        const counts = abuseStatus.get(label) ?? new Map<number, number>();
        counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
        abuseStatus.set(label, counts);
      }
    };

    const load = loadDuring();
    const normal = Array.from({ length: NORMAL_WORKERS }, normalWorker);
    await new Promise((r) => setTimeout(r, BASELINE * 1000));
    phase = "abuse";
    const rss: [number, number][] = [];
    const abuse = Array.from({ length: ABUSE_WORKERS }, (_, i) => abuseWorker(i * 2));
    const startedAbuse = Date.now();
    while (Date.now() - startedAbuse < SOAK * 1000) {
      await new Promise((r) => setTimeout(r, 5000));
      rss.push([Math.round((Date.now() - startedAbuse) / 1000), rssMiB(gateway.pid!)]);
      console.log(`t=${rss.at(-1)![0]}s RSS ${rss.at(-1)![1]} MiB`);
    }
    phase = "done";
    await Promise.all([...normal, ...abuse]);

    // argon2 (19 MiB per hash, four at a time) and V8's collector swing RSS by tens of MiB between
    // samples: judge the trend, the least-squares slope over the last 30 s, not single samples.
    const last = rss.filter(([t]) => t >= SOAK - 30);
    const meanT = last.reduce((a, [t]) => a + t, 0) / last.length;
    const meanM = last.reduce((a, [, m]) => a + m, 0) / last.length;
    const slope = last.reduce((a, [t, m]) => a + (t - meanT) * (m - meanM), 0) / last.reduce((a, [t]) => a + (t - meanT) ** 2, 0);
    const growth = Math.round(slope * 30);
    const plateau = growth <= Math.max(16, meanM * 0.1);
    const p99 = { baseline: percentile(latencies.baseline, 99), abuse: percentile(latencies.abuse, 99) };
    const ratio = p99.abuse / p99.baseline;
    const lines = [
      `Machine: ${machine()}; PostgreSQL on the same machine. ${load()}`,
      `Gateway: one process (bench/fanout-node.ts), default limits except the admin credential's (lifted), argon2 at OWASP defaults; users and the attacker on different client IPs (X-Forwarded-For). ${NORMAL_WORKERS} normal workers, ${ABUSE_WORKERS} anonymous abuse workers; ${BASELINE} s without abuse, then ${SOAK} s with.${skip ? ` Abuse without "${skip}" (SOAK_SKIP).` : ""}`,
      "",
      "| RSS (MiB) over the abuse phase | " + rss.map(([t]) => `${t} s`).join(" | ") + " |",
      "| --- | " + rss.map(() => "---:").join(" | ") + " |",
      "| gateway | " + rss.map(([, m]) => m).join(" | ") + " |",
      "",
      `RSS trend over the last 30 s: ${growth >= 0 ? "+" : ""}${growth} MiB (least-squares slope × 30 s, mean ${Math.round(meanM)} MiB) → ${plateau ? "plateau" : "**still growing**"} (noise band: 10 % of the mean).`,
      "",
      "| normal traffic | requests | non-200 | p50 (ms) | p99 (ms) |",
      "| --- | ---: | ---: | ---: | ---: |",
      `| without abuse | ${latencies.baseline.length} | ${normalErrors.baseline} | ${percentile(latencies.baseline, 50).toFixed(1)} | ${p99.baseline.toFixed(1)} |`,
      `| with abuse | ${latencies.abuse.length} | ${normalErrors.abuse} | ${percentile(latencies.abuse, 50).toFixed(1)} | ${p99.abuse.toFixed(1)} |`,
      "",
      `p99 with abuse / without: **${ratio.toFixed(2)}×** (goal ≤ 2×, ${ratio <= 2 ? "met" : "not met"}).`,
      "",
      "| abuse | answers (HTTP status × count) | mean time to answer (ms) |",
      "| --- | --- | ---: |",
      ...[...abuseStatus].map(([label, counts]) => {
        const ms = abuseMs.get(label) ?? [];
        return `| ${label} | ${[...counts].map(([s, n]) => `${s} × ${n}`).join(", ")} | ${(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(0)} |`;
      }),
    ];
    console.log(lines.join("\n"));
    recordResults(`\n## bench:soak — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC\n\n${lines.join("\n")}\n`);
  } finally {
    gateway?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
  }
}

await main();
