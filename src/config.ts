import { z } from "zod";

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** PostgreSQL server; when unset the gateway runs on an embedded PGlite database in DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATA_DIR: z.string().min(1).default(".data"),
  /** Redis for subscription fan-out across gateway nodes; in-process when unset. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Create a default tenant and print an admin credential once, on a fresh database. */
  BOOTSTRAP: z.stringbool().default(true),
  /** Believe X-Forwarded-For for client IPs: set only behind a proxy that overwrites it. */
  TRUST_PROXY: z.stringbool().default(false),
  /** Live audit events held per subscriber before a slow one is cut off (it can resume). */
  AUDIT_STREAM_BUFFER: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

export type Config = {
  port: number;
  host: string;
  database: { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };
  redisUrl?: string;
  bootstrap: boolean;
  trustProxy: boolean;
  auditStreamBuffer: number;
  logLevel: z.infer<typeof schema>["LOG_LEVEL"];
};

export class ConfigError extends Error {}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL ? { kind: "postgres", url: e.DATABASE_URL } : { kind: "pglite", dataDir: e.DATA_DIR },
    redisUrl: e.REDIS_URL,
    bootstrap: e.BOOTSTRAP,
    trustProxy: e.TRUST_PROXY,
    auditStreamBuffer: e.AUDIT_STREAM_BUFFER,
    logLevel: e.LOG_LEVEL,
  };
}
