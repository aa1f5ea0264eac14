import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import argon2 from "argon2";
import pg from "pg";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { createTenant } from "../../src/tenants/service.ts";
import { accountEmail, check, databaseName, PAGE, PASSWORD, SEARCH_MATCHES, SEARCH_TERM, SEEDED, seedEmail, WORKERS } from "./common.ts";
import type { Op, OpName, Side } from "./common.ts";

// Our side of bench:peer: the gateway in process, every operation a GraphQL request through
// app.yoga.fetch (admin: X-API-Key/X-API-Secret; sign-in: X-Tenant; me: the bearer access token).

/** Whether createCustomer takes an initial password (one request) or needs setPassword after it (two). */
export const CREATE_TAKES_PASSWORD = /input CreateCustomerInput \{[^}]*\n\s*password:/.test(
  readFileSync(new URL("../../schema.graphql", import.meta.url), "utf8"),
);

type Payload = { __typename: string; customer?: { id: string; status: string }; accessToken?: string };
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { __typename ... on CreateCustomerPayload { customer { id } } } }`;
const SET_PASSWORD = `mutation($id: ID!, $password: String!) { setPassword(customerId: $id, password: $password) { __typename } }`;
const SIGN_IN = `mutation($identifier: String!, $password: String!) {
  signIn(identifier: $identifier, password: $password) { __typename ... on SignInPayload { accessToken } } }`;
const ME = `{ me { id firstName lastName primaryEmail status } }`;
const SEARCH = `query($term: String!) { customers(first: ${PAGE}, filter: { email: { contains: $term } }) {
  totalCount edges { node { id firstName lastName primaryEmail status createdAt } } } }`;
const BLOCK = `mutation($id: ID!) { blockCustomer(id: $id, reason: "bench") { __typename ... on BlockCustomerPayload { customer { id status } } } }`;
const UNBLOCK = `mutation($id: ID!) { unblockCustomer(id: $id) { __typename ... on UnblockCustomerPayload { customer { id status } } } }`;

// 10,000 customers with one email each, written by one SQL statement (no audit events: they only
// need to be there to be searched and blocked), created a second apart like real sign-ups.
const SEED_SQL = `
  WITH s AS (SELECT i, gen_random_uuid() AS id, now() - i * interval '1 second' AS at FROM generate_series(0, $2::int - 1) i),
  c AS (INSERT INTO customer (id, tenant_id, uid, first_name, last_name, name_search, created_at, updated_at)
        SELECT id, $1::uuid, 'seed-' || i, 'Seed', 'User ' || i, 'seed user ' || i, at, at FROM s)
  INSERT INTO contact (id, tenant_id, customer_id, kind, value, normalized, "primary", created_at)
  SELECT gen_random_uuid(), $1::uuid, id, 'EMAIL', e, e, true, at FROM s, LATERAL (SELECT ${sqlSeedEmail("i")} AS e) x`;
function sqlSeedEmail(i: string) {
  const sample = seedEmail(12345); // keeps the SQL and seedEmail() in step
  if (sample !== "user12345@shop5.example") throw new Error("seedEmail changed: update the seeding SQL");
  return `'user' || ${i} || '@shop' || ${i} % 10 || '.example'`;
}

export async function ours(url: string): Promise<Side> {
  const database = await openDatabase({ kind: "postgres", url });
  // Thousands of sign-ins and admin requests a minute are the point here, not an attack.
  const lifted = "9999999/60";
  const config = loadConfig({
    ...process.env,
    RATE_LIMIT_SIGN_IN_PER_ACCOUNT: lifted,
    RATE_LIMIT_SIGN_IN_PER_IP: lifted,
    RATE_LIMIT_ADMIN_PER_CREDENTIAL: lifted,
    DATABASE_URL: url,
    LOG_LEVEL: "silent",
    BOOTSTRAP: "false",
    MASTER_KEY: randomBytes(32).toString("base64"),
  });
  const app = await createApp({ config, database });
  const { tenant, credential, secret } = await createTenant(database.prisma, app.events, { slug: "bench" });
  const admin: Record<string, string> = { "x-api-key": credential.keyId, "x-api-secret": secret };

  async function post<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<T> {
    const body = JSON.stringify({ query, variables });
    // As a real client over HTTP sends it: with its length (the body limit reads the header).
    const length = String(Buffer.byteLength(body));
    const response = await app.yoga.fetch("http://bench/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": length, "user-agent": "bench", ...headers },
      body,
    });
    const answer = (await response.json()) as { data?: T; errors?: unknown };
    check(response.status === 200 && !answer.errors && answer.data != null, "GraphQL request", answer);
    return answer.data!;
  }
  const mutate = async (field: string, query: string, variables: Record<string, unknown>, headers = admin) => {
    const data = await post<Record<string, Payload>>(query, variables, headers);
    check(data[field].__typename.endsWith("Payload"), field, data);
    return data[field];
  };
  async function createWithPassword(email: string) {
    const emails = [{ address: email, primary: true }];
    if (CREATE_TAKES_PASSWORD) return mutate("createCustomer", CREATE, { input: { firstName: "New", emails, password: PASSWORD } });
    const { customer } = await mutate("createCustomer", CREATE, { input: { firstName: "New", emails } });
    await mutate("setPassword", SET_PASSWORD, { id: customer!.id, password: PASSWORD });
  }
  const signIn = async (w: number) =>
    (await mutate("signIn", SIGN_IN, { identifier: accountEmail(w), password: PASSWORD }, { "x-tenant": "bench" })).accessToken!;

  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await pool.query(SEED_SQL, [tenant.id, SEEDED]);
  await pool.query("ANALYZE");
  const targets = (
    await pool.query<{ id: string }>("SELECT id FROM customer WHERE uid = ANY($1) ORDER BY uid", [
      Array.from({ length: WORKERS }, (_, w) => `seed-${w}`),
    ])
  ).rows.map((r) => Buffer.from(`Customer:${r.id}`).toString("base64"));
  for (let w = 0; w < WORKERS; w++) await createWithPassword(accountEmail(w));
  const [{ password_hash: hash }] = (
    await pool.query<{ password_hash: string }>(
      "SELECT password_hash FROM customer c JOIN contact k ON k.customer_id = c.id WHERE k.normalized = $1",
      [accountEmail(0)],
    )
  ).rows;
  await pool.end();

  let created = 0;
  const ops: Record<OpName, () => Promise<Op>> = {
    create: async () => () => createWithPassword(`new${created++}@created.example`).then(() => undefined),
    signIn: async () => (w) => signIn(w).then(() => undefined),
    session: async () => {
      // Access tokens live 15 minutes: sign in afresh for each case.
      const tokens = await Promise.all(Array.from({ length: WORKERS }, (_, w) => signIn(w)));
      return async (w) => {
        const data = await post<{ me: { primaryEmail: string } }>(ME, {}, { authorization: `Bearer ${tokens[w]}` });
        check(data.me.primaryEmail === accountEmail(w), "me", data);
      };
    },
    search: async () => async () => {
      const data = await post<{ customers: { totalCount: number; edges: unknown[] } }>(SEARCH, { term: SEARCH_TERM }, admin);
      check(data.customers.edges.length === PAGE && data.customers.totalCount === SEARCH_MATCHES, "customers search", data);
    },
    block: async () => async (w) => {
      const blocked = await mutate("blockCustomer", BLOCK, { id: targets[w] });
      check(blocked.customer?.status === "BLOCKED", "blockCustomer", blocked);
      const unblocked = await mutate("unblockCustomer", UNBLOCK, { id: targets[w] });
      check(unblocked.customer?.status === "ACTIVE", "unblockCustomer", unblocked);
    },
  };
  return {
    database: databaseName(url),
    prepare: (op) => ops[op](),
    verifyHash: async () => check(await argon2.verify(hash, PASSWORD), "argon2.verify", hash),
    close: async () => {
      await app.stop();
      await database.close();
    },
  };
}
