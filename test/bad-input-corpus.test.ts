import { beforeAll, describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import { ERROR_CODES, REQUEST_ERROR_CODES } from "../src/errors.ts";
import { schema } from "../src/graphql/schema.ts";
import {} from "./generated/graphql.ts";
import { generateCorpus, type CorpusCase } from "./helpers/corpus.ts";
import { answerOf, raw, type RawAnswer } from "./helpers/raw.ts";
import { comparableRow, comparedRows, snapshotDatabase } from "./helpers/snapshot.ts";

// Hundreds of hostile requests generated from the executable schema: every root field, every
// argument and input field, each spoiled in the ways an attacker would (see helpers/corpus.ts),
// plus bombs and HTTP-level abuse. A root field or argument added later is covered automatically.

const REGISTRY = new Set<string>([...ERROR_CODES, ...REQUEST_ERROR_CODES]);
/** Answers that refuse the request: nothing may have been written. */
const REFUSALS = new Set([...REQUEST_ERROR_CODES, "VALIDATION_FAILED"].filter((c) => c !== "RATE_LIMITED"));

const gw = useTestGateway();
let customerToken: string;
const corpus = generateCorpus(schema);

beforeAll(async () => {
  customerToken = (await gw.createSignedInCustomer({ emails: [{ address: "corpus@example.com" }] })).tokens.accessToken;
});

type Who = "admin" | "anonymous" | "customer";
const headersOf = (who: Who): Record<string, string> =>
  who === "admin"
    ? gw.tenants.A.headers
    : who === "customer"
      ? { authorization: `Bearer ${customerToken}` }
      : { "x-tenant": gw.tenants.A.slug };

/** Sends one case; subscriptions go over SSE and are cut off once the first event (or 300 ms) passed. */
async function send(c: { query: string; variables?: unknown; root?: string }, who: Who): Promise<RawAnswer> {
  if (c.root !== "subscription") return raw(gw.app, { body: { query: c.query, variables: c.variables }, headers: headersOf(who) });
  const abort = new AbortController();
  const started = performance.now();
  const response = await gw.app.yoga.fetch("http://gateway.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...headersOf(who) },
    body: JSON.stringify({ query: c.query, variables: c.variables }),
    signal: abort.signal,
  });
  let text = "";
  const reader = response.body!.getReader();
  const timer = setTimeout(() => abort.abort(), 300);
  try {
    while (!text.includes("\n\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  } catch {
    // cut off: the subscription was accepted and is waiting for events
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return answerOf(response, text.match(/^data: (.*)$/m)?.[1], started);
}

/** Every error code of an answer: request-level errors and typed error results alike. */
function codesOf(res: RawAnswer): string[] {
  const codes = (res.body?.errors ?? []).map((e) => String(e.extensions?.code));
  for (const value of Object.values((res.body?.data ?? {}) as Record<string, unknown>)) {
    const code = (value as { code?: unknown } | null)?.code;
    if (typeof code === "string") codes.push(code);
  }
  return codes;
}

let fingerprintSql: string | undefined;
/**
 * A fingerprint of every row of every table (the tables snapshotDatabase watches) in one
 * statement, hundreds of times cheaper than a full snapshot. Left out: the security log's
 * rate-limited audit rows (written on purpose for refusals), the sequence numbers they take, and
 * credentials' last_used_at — compared exactly as snapshotDatabase compares them.
 */
async function state(): Promise<string> {
  await gw.app.security.settled();
  fingerprintSql ??= Object.keys(await snapshotDatabase(gw.db))
    .map((table) => {
      const row = `(${comparableRow(table)})::text`;
      return `SELECT '${table}' AS name, count(*)::int AS n, md5(coalesce(string_agg(${row}, ',' ORDER BY ${row}), '')) AS h FROM "${table}" t WHERE ${comparedRows(table)}`;
    })
    .join(" UNION ALL ");
  return JSON.stringify(await gw.db.$queryRawUnsafe(fingerprintSql));
}

async function expectResponsive() {
  const started = performance.now();
  const res = await raw(gw.app, { body: { query: "{ __typename }" } });
  expect(res.status).toBe(200);
  expect(performance.now() - started).toBeLessThan(1000);
}

/** Runs cases as `who`, asserting per case; mutations are checked for writes when refused. */
async function runAll(cases: { label: string; query: string; variables?: unknown; root?: string }[], who: Who) {
  let before = await state();
  const failures: string[] = [];
  for (const c of cases) {
    const res = await send(c, who);
    const codes = codesOf(res);
    const problem =
      res.status >= 500
        ? `HTTP ${res.status}`
        : codes.includes("INTERNAL_SERVER_ERROR")
          ? "masked internal error"
          : codes.find((code) => !REGISTRY.has(code))
            ? `unregistered code ${codes.find((code) => !REGISTRY.has(code))}`
            : null;
    if (problem) failures.push(`${c.label}: ${problem} ${JSON.stringify(res.body).slice(0, 200)}`);
    if (c.root === "mutation" || c.root === undefined) {
      const after = await state();
      if (codes.some((code) => REFUSALS.has(code)) && after !== before) failures.push(`${c.label}: refused (${codes}) but wrote`);
      before = after;
    }
    await expectResponsive();
  }
  expect(failures).toEqual([]);
}

const label = (c: CorpusCase) => `${c.root} ${c.field}${c.target ? ` ${c.target}` : ""}: ${c.kind}`;
const cases = corpus.map((c) => ({ ...c, label: label(c) }));

describe("the bad-input corpus", () => {
  it("has a case for every root field and every argument of the schema, and at least 300 in all", () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
      for (const field of Object.values(type?.getFields() ?? {})) {
        expect(
          corpus.some((c) => c.field === field.name),
          `no case for ${type!.name}.${field.name}`,
        ).toBe(true);
        for (const arg of field.args) {
          expect(
            corpus.some((c) => c.field === field.name && c.target.split(".")[0] === arg.name),
            `no case for ${field.name}(${arg.name})`,
          ).toBe(true);
        }
      }
    }
  });

  for (const root of ["query", "mutation", "subscription"] as const) {
    it(
      `answers every ${root} case as an all-scopes admin without a 5xx, an internal error or a write`,
      () =>
        runAll(
          cases.filter((c) => c.root === root),
          "admin",
        ),
      600_000,
    );
    it(
      `answers every ${root} case as an anonymous caller without a 5xx, an internal error or a write`,
      () =>
        runAll(
          cases.filter((c) => c.root === root),
          "anonymous",
        ),
      600_000,
    );
  }

  it("answers the first cases of every root field as a signed-in customer without a 5xx, an internal error or a write", () => {
    const firsts = cases.filter((c, i) => cases.findIndex((d) => d.field === c.field) + 2 > i);
    return runAll(firsts, "customer");
  }, 600_000);
});

describe("bombs and HTTP-level abuse", () => {
  const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(" ");
  const bombs = [
    ["an alias bomb", `{ ${many(500, (i) => `a${i}: __typename`)} }`],
    ["an overlap bomb", `{ ${many(1000, (i) => `node(id: "${i}") { id }`)} }`],
    [
      "a fragment explosion",
      `{ ...F0 } ${many(30, (i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`)} fragment F30 on Query { __typename }`,
    ],
    [
      "a depth bomb",
      `{ node(id: "x") { ... on Customer { ${"customObjects { edges { node { customer { ".repeat(100)} id ${"} } } } ".repeat(100)} } } }`,
    ],
    ["a directive bomb", `{ __typename ${"@skip(if: false) ".repeat(500)} }`],
    ["a cyclic fragment", `{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`],
    ["an unknown 100 KB field name", `{ ${"f".repeat(100_000)} }`],
    ["broken GraphQL", `{ customers(first: ) {`],
    ["a 1,000-deep list literal", `{ node(id: ${"[".repeat(1000)}"x"${"]".repeat(1000)}) { id } }`],
  ].map(([name, query]) => ({ label: name, query }));

  it("refuses every bomb as anonymous and as admin with a registry code, quickly, and stays responsive", async () => {
    await runAll(bombs, "anonymous");
    await runAll(bombs, "admin");
  }, 300_000);

  const http: [string, Parameters<typeof raw>[1]][] = [
    ["a 2 MB body", { body: { query: "{ __typename }", variables: { x: "y".repeat(2_000_000) } } }],
    ["broken JSON", { body: `{"query": "{ __typename }", ` }],
    ["a JSON array (a batch)", { body: [{ query: "{ __typename }" }, { query: "{ __typename }" }] }],
    ["a JSON string body", { body: `"{ __typename }"` }],
    ["variables that are a string", { body: { query: "{ __typename }", variables: "{}" } }],
    ["a query that is a number", { body: { query: 42 } }],
    ["malformed GET variables", { search: { query: "{ __typename }", variables: "{" } }],
    ["malformed GET extensions", { search: { query: "{ __typename }", extensions: "[" } }],
    ["a mutation over GET", { search: { query: "mutation { signOut { __typename } }" } }],
    ["an unsupported content type", { body: "query=x", headers: { "content-type": "text/plain" } }],
    ["a forged content length", { body: { query: "{ __typename }" }, headers: { "content-length": "1, 2" } }],
  ];
  for (const [name, req] of http) {
    it(`answers ${name} with a 4xx and a registry code or no body, never a 5xx`, async () => {
      const res = await raw(gw.app, req);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      for (const code of codesOf(res)) expect(REGISTRY.has(code), code).toBe(true);
      await expectResponsive();
    });
  }
});
