import { randomBytes } from "node:crypto";
import { betterAuth, type BetterAuthOptions } from "better-auth";
import { verifyPassword } from "better-auth/crypto";
import { getMigrations } from "better-auth/db/migration";
import { admin } from "better-auth/plugins/admin";
import pg from "pg";
import { accountEmail, check, databaseName, PAGE, PASSWORD, SEARCH_MATCHES, SEARCH_TERM, SEEDED, WORKERS } from "./common.ts";
import type { Op, OpName, Side } from "./common.ts";

// better-auth's side of bench:peer: its own handler in process (auth.handler(new Request(…))), on
// its Kysely adapter over a pg Pool as large as ours, its tables made by its own migration planner
// (getMigrations, offline), email + password and the admin plugin at their defaults, its rate
// limiter off (it is on by default in production), the session in its signed cookie.

const BASE = "http://localhost:3000";
const COOKIE = "better-auth.session_token";
type User = { id: string; email: string; banned?: boolean | null };

// The same 10,000 emails as our side (seedEmail), written by one SQL statement.
const SEED_SQL = `
  INSERT INTO "user" (id, name, email, "emailVerified", "createdAt", "updatedAt", role, banned)
  SELECT 'seed-' || i, 'Seed User ' || i, 'user' || i || '@shop' || i % 10 || '.example', false,
         now() - i * interval '1 second', now() - i * interval '1 second', 'user', false
  FROM generate_series(0, $1::int - 1) i`;

export async function theirs(url: string): Promise<Side> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const options = {
    database: pool,
    baseURL: BASE,
    secret: randomBytes(32).toString("hex"),
    emailAndPassword: { enabled: true },
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: { disabled: true },
    plugins: [admin()],
  } satisfies BetterAuthOptions;
  await (await getMigrations(options)).runMigrations();
  const auth = betterAuth(options);

  async function call<T>(method: "GET" | "POST", path: string, body?: unknown, cookie?: string) {
    const json = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { "content-type": "application/json", origin: BASE, "user-agent": "bench" };
    if (json !== undefined) headers["content-length"] = String(Buffer.byteLength(json)); // as our side sends it
    if (cookie) headers.cookie = cookie;
    const response = await auth.handler(new Request(`${BASE}/api/auth${path}`, { method, headers, body: json }));
    const text = await response.text();
    check(response.status === 200, `better-auth ${path}`, text);
    const session = response.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`));
    return { json: JSON.parse(text) as T, cookie: session?.split(";")[0] };
  }
  const signIn = async (email: string) => {
    const { json, cookie } = await call<{ user: User }>("POST", "/sign-in/email", { email, password: PASSWORD });
    check(json.user.email === email && cookie !== undefined, "sign-in", json);
    return cookie!;
  };

  await pool.query(SEED_SQL, [SEEDED]);
  await pool.query("ANALYZE");
  await call("POST", "/sign-up/email", { email: "admin@accounts.example", password: PASSWORD, name: "Admin" });
  await pool.query(`UPDATE "user" SET role = 'admin' WHERE email = 'admin@accounts.example'`);
  const adminCookie = await signIn("admin@accounts.example");
  const createWithPassword = async (email: string) => {
    const { json } = await call<{ user: User }>("POST", "/admin/create-user", { email, password: PASSWORD, name: "New" }, adminCookie);
    check(json.user.email === email, "admin create-user", json);
  };
  for (let w = 0; w < WORKERS; w++) await createWithPassword(accountEmail(w));
  const [{ password: hash }] = (
    await pool.query<{ password: string }>(
      `SELECT a.password FROM account a JOIN "user" u ON u.id = a."userId" WHERE u.email = $1 AND a."providerId" = 'credential'`,
      [accountEmail(0)],
    )
  ).rows;

  let created = 0;
  const ops: Record<OpName, () => Promise<Op>> = {
    create: async () => () => createWithPassword(`new${created++}@created.example`),
    signIn: async () => (w) => signIn(accountEmail(w)).then(() => undefined),
    session: async () => {
      const cookies = await Promise.all(Array.from({ length: WORKERS }, (_, w) => signIn(accountEmail(w))));
      return async (w) => {
        const { json } = await call<{ user?: User } | null>("GET", "/get-session", undefined, cookies[w]);
        check(json?.user?.email === accountEmail(w), "get-session", json);
      };
    },
    search: async () => async () => {
      const query = new URLSearchParams({
        searchField: "email",
        searchOperator: "contains",
        searchValue: SEARCH_TERM,
        limit: String(PAGE),
        sortBy: "createdAt", // our page is newest first
        sortDirection: "desc",
      });
      const { json } = await call<{ users: User[]; total: number }>("GET", `/admin/list-users?${query}`, undefined, adminCookie);
      check(json.users.length === PAGE && json.total === SEARCH_MATCHES, "admin list-users", json);
    },
    block: async () => async (w) => {
      const banned = await call<{ user: User }>("POST", "/admin/ban-user", { userId: `seed-${w}`, banReason: "bench" }, adminCookie);
      check(banned.json.user.banned === true, "admin ban-user", banned.json);
      const unbanned = await call<{ user: User }>("POST", "/admin/unban-user", { userId: `seed-${w}` }, adminCookie);
      check(unbanned.json.user.banned === false, "admin unban-user", unbanned.json);
    },
  };
  return {
    database: databaseName(url),
    prepare: (op) => ops[op](),
    verifyHash: async () => check(await verifyPassword({ hash, password: PASSWORD }), "scrypt verifyPassword", hash),
    close: () => pool.end(),
  };
}
