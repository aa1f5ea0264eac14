import { z } from "zod";
import type { OperationLimits } from "./graphql/limits.ts";

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
  /**
   * 32 random bytes, base64: encrypts the private keys that sign customer access tokens. Unset on
   * PGlite: generated once into DATA_DIR/master.key (mode 0600). Unset with DATABASE_URL: customer
   * sign-in and token refresh are switched off (see src/signing-keys/master-key.ts).
   */
  MASTER_KEY: z
    .string()
    .refine((s) => Buffer.from(s, "base64").length === 32, "must be 32 bytes, base64-encoded (openssl rand -base64 32)")
    .optional(),
  /** argon2id cost for customer passwords; OWASP's minimum by default (19 MiB, t=2, p=1). */
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024).max(4_194_304).default(19_456),
  ARGON2_TIME_COST: z.coerce.number().int().min(1).max(100).default(2),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).max(64).default(1),
  /** NIST 800-63B: at least 8; the maximum is fixed at 128. */
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(64).default(8),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(366 * 86_400).default(30 * 86_400),
  /** Failed sign-ins within LOCKOUT_WINDOW_SECONDS that block a customer for LOCKOUT_DURATION_SECONDS. */
  LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  LOCKOUT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400 * 30).default(900),
  LOCKOUT_DURATION_SECONDS: z.coerce.number().int().min(1).max(86_400 * 365).default(900),
  /** The `iss` claim of customer access tokens. */
  JWT_ISSUER: z.string().min(1).default("identity-gateway"),
  // Request and operation limits (src/graphql/limits.ts); an over-limit request does no work.
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(1024 * 1024),
  MAX_QUERY_BYTES: z.coerce.number().int().min(256).max(1024 * 1024).default(32 * 1024),
  MAX_QUERY_TOKENS: z.coerce.number().int().min(50).max(100_000).default(1000),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(100).default(10),
  MAX_QUERY_ALIASES: z.coerce.number().int().min(0).max(1000).default(15),
  MAX_QUERY_DIRECTIVES: z.coerce.number().int().min(0).max(1000).default(20),
  MAX_QUERY_COST: z.coerce.number().int().min(10).max(1_000_000).default(5000),
  INTROSPECTION: z.enum(["admin", "public", "off"]).default("admin"),
  /** Browser origins allowed to call the gateway cross-origin (comma-separated); none by default. */
  CORS_ORIGINS: z
    .string()
    .transform((s) => s.split(",").map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/ }).refine((o) => URL.canParse(o) && new URL(o).origin === o, "an origin: scheme://host[:port], no path")))
    .default([]),
});

/** Customer credentials, tokens and sessions. */
export interface AuthConfig {
  /** From MASTER_KEY; null when unset (src/signing-keys/master-key.ts decides what that means). */
  masterKey: Buffer | null;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  password: { minLength: number; maxLength: number };
  accessTokenTtlSeconds: number;
  sessionTtlSeconds: number;
  lockout: { threshold: number; windowSeconds: number; durationSeconds: number };
  issuer: string;
}

export type Config = {
  port: number;
  host: string;
  database: { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };
  redisUrl?: string;
  bootstrap: boolean;
  trustProxy: boolean;
  auditStreamBuffer: number;
  logLevel: z.infer<typeof schema>["LOG_LEVEL"];
  auth: AuthConfig;
  limits: OperationLimits & { maxBodyBytes: number };
  corsOrigins: string[];
};

export class ConfigError extends Error {}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable (`REDIS_URL=`) means "not set", as shells and .env files tend to write it.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = schema.safeParse(given);
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
    auth: {
      masterKey: e.MASTER_KEY ? Buffer.from(e.MASTER_KEY, "base64") : null,
      argon2: { memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST, parallelism: e.ARGON2_PARALLELISM },
      password: { minLength: e.PASSWORD_MIN_LENGTH, maxLength: 128 },
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      sessionTtlSeconds: e.SESSION_TTL_SECONDS,
      lockout: { threshold: e.LOCKOUT_THRESHOLD, windowSeconds: e.LOCKOUT_WINDOW_SECONDS, durationSeconds: e.LOCKOUT_DURATION_SECONDS },
      issuer: e.JWT_ISSUER,
    },
    limits: {
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxQueryBytes: e.MAX_QUERY_BYTES,
      maxTokens: e.MAX_QUERY_TOKENS,
      maxDepth: e.MAX_QUERY_DEPTH,
      maxAliases: e.MAX_QUERY_ALIASES,
      maxDirectives: e.MAX_QUERY_DIRECTIVES,
      maxCost: e.MAX_QUERY_COST,
      introspection: e.INTROSPECTION,
    },
    corsOrigins: e.CORS_ORIGINS,
  };
}
