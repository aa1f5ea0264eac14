import pg from "pg";

// What both sides of bench:peer share: the operations, the seeded data, and the statement count.

/** The five operations, in the order they are measured. */
export const OPS = ["create", "signIn", "session", "search", "block"] as const;
export type OpName = (typeof OPS)[number];
export type Op = (worker: number) => Promise<void>;

/** One side of the comparison: its operations through its real HTTP handler, and its raw hash. */
export interface Side {
  /** The scratch database it alone uses: statements are counted per database. */
  database: string;
  /** Fresh per case (access tokens expire, cookies do not): an operation ready to call from worker 0…WORKERS-1. */
  prepare(op: OpName): Promise<Op>;
  /** Its password hash's verify on its own hash of PASSWORD, outside any request. */
  verifyHash: Op;
  close(): Promise<void>;
}

/** The most operations in flight; each worker signs in as / blocks a user of its own, so no row lock is shared. */
export const WORKERS = 8;
export const PASSWORD = "correct horse battery staple";
export const SEEDED = 10_000;
export const PAGE = 50;
/** Seeded emails spread over 10 domains: the search term matches 1,000 of the 10,000 users. */
export const seedEmail = (i: number) => `user${i}@shop${i % 10}.example`;
export const SEARCH_TERM = "@shop3.";
export const SEARCH_MATCHES = SEEDED / 10;
export const accountEmail = (w: number) => `account${w}@accounts.example`;

/** Throws with the answer when a response is not what a successful operation returns. */
export function check(ok: boolean, what: string, answer: unknown): void {
  if (!ok) throw new Error(`${what} failed: ${JSON.stringify(answer).slice(0, 600)}`);
}

// Statements are counted on the client, by wrapping node-postgres's Client#query: both sides talk
// to PostgreSQL only through it (ours via @prisma/adapter-pg's pg Pool, better-auth via Kysely's
// PostgresDialect on a pg Pool), there is one copy of pg in node_modules, and every call sends one
// statement (extended protocol). pg_stat_statements is not loaded on the server here. Counted per
// database name, so the two sides (and the harness's own queries) never mix; BEGIN/COMMIT/ROLLBACK
// and savepoints are counted too, and also separately.
const counts = new Map<string, { all: number; transaction: number }>();
const TRANSACTION_CONTROL = /^\s*(BEGIN|START|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;
const originalQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const text = typeof args[0] === "string" ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? "");
  const entry = counts.get(this.database ?? "") ?? { all: 0, transaction: 0 };
  entry.all++;
  if (TRANSACTION_CONTROL.test(text)) entry.transaction++;
  counts.set(this.database ?? "", entry);
  return originalQuery.apply(this, args);
} as typeof pg.Client.prototype.query;

/** Statements sent to `database` so far. */
export function statementsSent(database: string): { all: number; transaction: number } {
  return { ...(counts.get(database) ?? { all: 0, transaction: 0 }) };
}

export const databaseName = (url: string) => new URL(url).pathname.slice(1);
