import { join } from "node:path";
import type { z } from "zod";
import { environment } from "./environment.ts";
import type { GeoMode } from "./geoip.ts";

/** Customer credentials, tokens and sessions. */
export interface AuthConfig {
  /** From MASTER_KEY; null when unset (src/signing-keys/master-key.ts decides what that means). */
  masterKey: Buffer | null;
  /** From MASTER_KEY_PREVIOUS: unwraps PII data keys wrapped before a MASTER_KEY change (src/pii/keyring.ts). */
  masterKeyPrevious: Buffer | null;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  password: { minLength: number; maxLength: number };
  accessTokenTtlSeconds: number;
  sessionTtlSeconds: number;
  /** 0: no idle limit. Otherwise longer than an access token lives, so a refresh can come in time. */
  sessionIdleTimeoutSeconds: number;
  /** How sign-in resolves a session's location from the client IP (GEOIP). */
  geoip: GeoMode;
  lockout: { threshold: number; windowSeconds: number; durationSeconds: number };
  throttle: ThrottleConfig;
  issuer: string;
}

/** A budget of `points` per `seconds`. */
export interface Rate {
  points: number;
  seconds: number;
}

export interface RateLimitConfig {
  signInPerIp: Rate;
  signInPerAccount: Rate;
  recoveryPerIp: Rate;
  recoveryPerTarget: Rate;
  adminPerCredential: Rate;
  inflowPerConnector: Rate;
}

/** Exponential delays after failed sign-ins (src/security/throttle.ts). */
export interface ThrottleConfig {
  freeFailuresPerIp: number;
  freeFailures: number;
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  failureResetSeconds: number;
}

export type Config = {
  port: number;
  host: string;
  database: { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };
  redisUrl?: string;
  bootstrap: boolean;
  /** GraphiQL for browsers at GET /graphql. */
  playground: boolean;
  /** The admin console's page and assets at /console (src/console/) and team sign-in at /console/session (src/team/). */
  console: boolean;
  /** OpenTelemetry spans are exported over OTLP (src/tracing.ts); the GraphQL plugin is added only then. */
  tracing: boolean;
  /** Graceful shutdown: how long in-flight HTTP requests may run on after SIGTERM/SIGINT (ms). */
  shutdownTimeoutMs: number;
  trustProxy: boolean;
  auditStreamBuffer: number;
  /** Customers per statement of an export. */
  exportPageSize: number;
  /** Scheduled export files: EXPORT_DIR/<tenant id>/… */
  exportDir: string;
  /** Scheduler tick in ms (0 = off). */
  exportSchedulerIntervalMs: number;
  /** Signed audit-chain checkpoints: how often this node signs the heads that moved (ms, 0 = off). */
  auditCheckpointIntervalMs: number;
  /** Admin credentials are re-read at most this often per key (ms; 0 = every request). */
  adminCredentialCacheMs: number;
  logLevel: z.infer<typeof environment>["LOG_LEVEL"];
  /** Where /metrics is served: null = on `port`, beside /graphql; a number = only there (0: any free port). */
  metricsPort: number | null;
  auth: AuthConfig;
  rateLimits: RateLimitConfig;
  limits: OperationLimits & { maxBodyBytes: number };
  corsOrigins: string[];
  /** Customer imports: the folder server-side paths must be in (null: uploads only), the upload size cap. */
  imports: ImportLimits;
  connectors: ConnectorSettings;
  bulk: BulkSettings;
  notifications: NotificationSettings;
};

/** Bulk-action jobs (src/bulk/): this node's worker poll (0 = off), batch size, claim lease. */
export interface BulkSettings {
  workerIntervalMs: number;
  batchSize: number;
  leaseMs: number;
}

export interface NotificationSettings {
  /** Null: notifications are handed to the tenant's connectors. Holds the SMTP password: never log it. */
  smtpUrl: string | null;
  from: string;
  /** Poll interval of this node's notification worker (0 = it sends none). */
  workerIntervalMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  leaseMs: number;
}

export interface ConnectorSettings {
  allowPrivateTargets: boolean;
  /** Poll interval of this node's delivery worker (0 = it sends nothing). */
  workerIntervalMs: number;
  concurrency: number;
  leaseMarginMs: number;
  minRetryIntervalMs: number;
}

export interface ImportLimits {
  dir: string | null;
  maxUploadBytes: number;
}

export interface OperationLimits {
  /** Largest accepted query text, in UTF-8 bytes; checked before the parser sees it. */
  maxQueryBytes: number;
  /** Lexer tokens; the parser stops at the first one over. */
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** graphql-armor's cost (objects 2, scalars 1, ×1.5 per level). */
  maxCost: number;
  /** Who may use __schema/__type: admins (any request with X-API-Key), everyone, or nobody. */
  introspection: "admin" | "public" | "off";
}

export class ConfigError extends Error {}

/**
 * Tracing is on when the standard OTLP endpoint variables are set (and OTEL_SDK_DISABLED is not
 * "true"). The SDK validates the OTEL_* variables itself, so they are not in environment.ts.
 */
export function otlpTracingConfigured(env: Record<string, string | undefined>): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) && env.OTEL_SDK_DISABLED !== "true";
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable (`REDIS_URL=`) means "not set", as shells and .env files tend to write it.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = environment.safeParse(given);
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
    playground: e.PLAYGROUND,
    console: e.CONSOLE,
    tracing: otlpTracingConfigured(given),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    trustProxy: e.TRUST_PROXY,
    auditStreamBuffer: e.AUDIT_STREAM_BUFFER,
    exportPageSize: e.EXPORT_PAGE_SIZE,
    exportDir: e.EXPORT_DIR ?? join(e.DATA_DIR, "exports"),
    exportSchedulerIntervalMs: e.EXPORT_SCHEDULER_INTERVAL_MS,
    auditCheckpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS,
    adminCredentialCacheMs: e.ADMIN_CREDENTIAL_CACHE_MS,
    logLevel: e.LOG_LEVEL,
    metricsPort: e.METRICS_PORT ?? null,
    auth: authSettings(e),
    rateLimits: rateLimitConfig(e),
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
    imports: { dir: e.IMPORT_DIR ?? null, maxUploadBytes: e.IMPORT_MAX_UPLOAD_BYTES },
    connectors: connectorSettings(e),
    bulk: { workerIntervalMs: e.BULK_WORKER_INTERVAL_MS, batchSize: e.BULK_BATCH_SIZE, leaseMs: e.BULK_LEASE_MS },
    notifications: notificationSettings(e),
  };
}

function authSettings(e: z.infer<typeof environment>): Config["auth"] {
  return {
    masterKey: e.MASTER_KEY ? Buffer.from(e.MASTER_KEY, "base64") : null,
    masterKeyPrevious: e.MASTER_KEY_PREVIOUS ? Buffer.from(e.MASTER_KEY_PREVIOUS, "base64") : null,
    argon2: { memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST, parallelism: e.ARGON2_PARALLELISM },
    password: { minLength: e.PASSWORD_MIN_LENGTH, maxLength: 128 },
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    sessionIdleTimeoutSeconds: e.SESSION_IDLE_TIMEOUT_SECONDS,
    geoip: e.GEOIP,
    lockout: { threshold: e.LOCKOUT_THRESHOLD, windowSeconds: e.LOCKOUT_WINDOW_SECONDS, durationSeconds: e.LOCKOUT_DURATION_SECONDS },
    throttle: {
      freeFailuresPerIp: e.SIGN_IN_FREE_FAILURES_PER_IP,
      freeFailures: e.SIGN_IN_FREE_FAILURES,
      firstDelaySeconds: e.SIGN_IN_FIRST_DELAY_SECONDS,
      maxDelaySeconds: e.SIGN_IN_MAX_DELAY_SECONDS,
      failureResetSeconds: e.SIGN_IN_FAILURE_RESET_SECONDS,
    },
    issuer: e.JWT_ISSUER,
  };
}

function notificationSettings(e: z.infer<typeof environment>): NotificationSettings {
  return {
    smtpUrl: e.SMTP_URL ?? null,
    from: e.SMTP_FROM,
    workerIntervalMs: e.NOTIFICATION_WORKER_INTERVAL_MS,
    maxAttempts: e.NOTIFICATION_MAX_ATTEMPTS,
    retryBaseMs: e.NOTIFICATION_RETRY_BASE_MS,
    leaseMs: e.NOTIFICATION_LEASE_MS,
  };
}

function connectorSettings(e: z.infer<typeof environment>): ConnectorSettings {
  return {
    allowPrivateTargets: e.CONNECTORS_ALLOW_PRIVATE_TARGETS,
    workerIntervalMs: e.CONNECTOR_WORKER_INTERVAL_MS,
    concurrency: e.CONNECTOR_WORKER_CONCURRENCY,
    leaseMarginMs: e.CONNECTOR_LEASE_MARGIN_MS,
    minRetryIntervalMs: e.CONNECTOR_MIN_RETRY_INTERVAL_MS,
  };
}

function rateLimitConfig(e: z.infer<typeof environment>): RateLimitConfig {
  return {
    signInPerIp: e.RATE_LIMIT_SIGN_IN_PER_IP,
    signInPerAccount: e.RATE_LIMIT_SIGN_IN_PER_ACCOUNT,
    recoveryPerIp: e.RATE_LIMIT_RECOVERY_PER_IP,
    recoveryPerTarget: e.RATE_LIMIT_RECOVERY_PER_TARGET,
    adminPerCredential: e.RATE_LIMIT_ADMIN_PER_CREDENTIAL,
    inflowPerConnector: e.RATE_LIMIT_INFLOW_PER_CONNECTOR,
  };
}
