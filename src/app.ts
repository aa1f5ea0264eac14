import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import { customerFromHeaders } from "./account/principal.ts";
import { adminFromHeaders } from "./admin-auth/credentials-header.ts";
import { createCredentialCache, type CredentialCache } from "./admin-auth/credential-cache.ts";
import { createLiveConnections } from "./admin-auth/live-connections.ts";
import type { Config } from "./config.ts";
import { connectTo } from "./connections.ts";
import { openDatabase, type Database } from "./db/database.ts";
import { createLocalEventBus, createRedisEventBus, type EventBus } from "./events/bus.ts";
import { probeRedis } from "./events/redis-probe.ts";
import { createContextFactory, type GraphQLContext, type ServerContext } from "./graphql/context.ts";
import { inputGuardPlugin } from "./graphql/input-guard.ts";
import { boundedParserCache, operationLimitPlugins } from "./graphql/limits.ts";
import type { LiveConnections } from "./graphql/live-connections.ts";
import { exposeExpectedErrors, normalizeErrorsPlugin } from "./graphql/mask-errors.ts";
import { bodySizeLimit, checkGetParams, corsFromAllowList, requestInfo } from "./graphql/request.ts";
import { errorReportPlugin } from "./imports/error-report.ts";
import { stopImports } from "./imports/service.ts";
import { failAbandonedJobs } from "./jobs/service.ts";
import { playgroundPlugin } from "./graphql/playground.ts";
import { graphqlTracingPlugin } from "./graphql/tracing.ts";
import { useRevocableStreams } from "./graphql/revocable-streams.ts";
import { schema } from "./graphql/schema.ts";
import { useSharedSubscriptionExecution } from "./graphql/shared-subscriptions.ts";
import { attachWebSockets } from "./graphql/websocket.ts";
import { createLogger, type DestinationStream, type Logger } from "./logger.ts";
import { createObservability, type Observability } from "./observability/endpoints.ts";
import { httpDrain } from "./graphql/http-drain.ts";
import { createAuthRuntime, type AuthRuntime } from "./security/auth-runtime.ts";
import { createSecurityLog, type AuthFailureReport, type SecurityLog } from "./security/events.ts";
import { createMemoryLimiterFactory, createRedisLimiterFactory, type LimiterFactory } from "./security/limiters.ts";
import { useRateLimits } from "./security/rate-limit-plugin.ts";
import { useSqlRead } from "./graphql/sql-read/plugin.ts";
import { createRateLimits, type RateLimits } from "./security/rate-limits.ts";
import { jwksPlugin } from "./signing-keys/jwks.ts";
import { consolePlugin } from "./console/static.ts";
import { exportDownloadPlugin } from "./exports/download.ts";
import { inflowPlugin } from "./connectors/inflow-route.ts";
import { resolveMasterKey } from "./signing-keys/master-key.ts";
import { protectPii } from "./pii/audit-seal.ts";
import { cachedTenantIdBySlug } from "./tenants/service.ts";
import { adminFromConsole } from "./team/principal.ts";
import { consoleSessionPlugin } from "./team/route.ts";
import { startBackgroundWorkers } from "./workers.ts";

export interface App {
  yoga: YogaServerInstance<ServerContext, GraphQLContext>;
  database: Database;
  events: EventBus;
  /** Customer-auth settings and the token-signing key store. */
  auth: AuthRuntime;
  logger: Logger;
  /** Rate-limiter store: Redis when configured (limits hold across nodes), memory otherwise. */
  limiters: LimiterFactory;
  /** Security log lines and rate-limited `security.*` audit events. */
  security: SecurityLog;
  /** /health, /ready, /metrics and the request log (src/observability/). */
  observability: Observability;
  /** Listens on config.port (0 = any free port); resolves with the GraphQL endpoint URL. */
  start(): Promise<string>;
  /**
   * Stops listening, ends SSE streams and closes graphql-ws sockets (1001), lets in-flight requests
   * finish (at most SHUTDOWN_TIMEOUT_MS), then stops the workers, the event bus and (if it opened
   * it) the database.
   */
  stop(): Promise<void>;
}

export interface AppOptions {
  config: Config;
  /** An already open database (tests); otherwise the configured one is opened and migrated. */
  database?: Database;
  /** Where log lines go instead of stdout (tests read them). */
  logDestination?: DestinationStream;
}

/** Everything the gateway holds open besides its HTTP server; created once per node. */
interface Parts {
  database: Database;
  events: EventBus;
  logger: Logger;
  limiters: LimiterFactory;
  security: SecurityLog;
  /** Open sockets and SSE streams by admin credential: revoking one ends them (on every node). */
  live: LiveConnections;
  /** Admin credentials verified in the last second (evicted on revocation, on every node). */
  credentials: CredentialCache;
  limits: RateLimits;
  auth: AuthRuntime;
  /** GraphQL spans, when tracing is on. */
  graphqlTracing: Plugin | null;
  observability: Observability;
}

/**
 * Builds the gateway without starting it: importing or creating never listens on a port.
 * GraphQL over HTTP, GraphQL over SSE (subscriptions with Accept: text/event-stream) and
 * graphql-ws all share the /graphql path and the same context, auth and error masking.
 */
export async function createApp({ config, database: given, logDestination }: AppOptions): Promise<App> {
  const parts = await openParts(config, given, logDestination);
  const yoga = createGatewayYoga(config, parts);
  let closeSockets: (() => Promise<void>) | undefined;
  let drain: ReturnType<typeof httpDrain> | undefined;
  const { database, events, auth, logger, limiters, security, live, credentials, observability } = parts;
  const authenticateAdmin = adminAuthenticator(config, parts);
  const workers = startBackgroundWorkers(config, parts);
  return {
    yoga,
    database,
    events,
    auth,
    logger,
    limiters,
    security,
    observability,
    async start() {
      const server = createServer(observability.handler(yoga));
      // Listening first: WebSocketServer re-emits a busy port as its own (unhandled) error.
      const url = await listen(server, config);
      drain = httpDrain(server);
      closeSockets = attachWebSockets(server, yoga, {
        authenticate: (header, request) => authenticateAdmin(header, { security, request }),
        trustProxy: config.trustProxy,
        live,
      });
      await observability.start();
      return url;
    },
    async stop() {
      observability.beginStop();
      // In-flight requests finish (up to SHUTDOWN_TIMEOUT_MS) before the workers and the database stop.
      if (drain && closeSockets) await drain(closeSockets, config.shutdownTimeoutMs);
      await stopImports(database.prisma);
      live.close();
      credentials.close();
      await workers.stop();
      await security.settled();
      await observability.close();
      await events.close();
      await limiters.close();
      if (!given) await database.close();
    },
  };
}

async function openParts(config: Config, given: Database | undefined, logDestination?: DestinationStream): Promise<Parts> {
  const { database: where, redisUrl } = config;
  // Redis first: a bad REDIS_URL stops the start before anything touches the database.
  if (redisUrl) await connectTo("REDIS_URL", redisUrl, () => probeRedis(redisUrl));
  const open = () => openDatabase(where);
  const database = given ?? (where.kind === "postgres" ? await connectTo("DATABASE_URL", where.url, open) : await open());
  let events: EventBus, limiters: LimiterFactory;
  try {
    events = redisUrl ? await createRedisEventBus(redisUrl) : createLocalEventBus();
    limiters = redisUrl ? await createRedisLimiterFactory(redisUrl) : createMemoryLimiterFactory();
  } catch (error) {
    if (!given) await database.close();
    throw error;
  }
  const db = database.prisma;
  const logger = createLogger(config.logLevel, logDestination);
  const security = createSecurityLog({ db, events, logger, limiters });
  const live = createLiveConnections({ db, events, security, logger });
  const credentials = createCredentialCache(db, events, config.adminCredentialCacheMs);
  const master = resolveMasterKey(config);
  protectPii(db, master.key ? { current: master.key, previous: config.auth.masterKeyPrevious } : null);
  if (config.logLevel !== "silent" && config.logLevel !== "error") {
    if (master.key === null) console.warn(`WARNING: ${master.reason}`);
    else if (master.source === "generated") {
      console.warn(`WARNING: MASTER_KEY is not set: generated one into ${master.path} (mode 0600). Back it up, or set MASTER_KEY.`);
    }
  }
  const limits = createRateLimits(limiters, config.rateLimits, security);
  // Jobs a stopped process left RUNNING end FAILED (imports resume by being started again).
  await failAbandonedJobs(db);
  const auth = createAuthRuntime(db, config.auth, master.key, { limiters, limits });
  // The JWKS lists a key from the first start, not only after the first sign-in.
  await auth.keys.ensureKey();
  const graphqlTracing = config.tracing ? await graphqlTracingPlugin() : null;
  const redis = config.redisUrl ? [events, limiters] : [];
  const observability = createObservability({ database, events, redis, live, logger, metricsPort: config.metricsPort, host: config.host });
  return { database, events, logger, limiters, security, live, credentials, limits, auth, graphqlTracing, observability };
}

function createGatewayYoga(config: Config, parts: Parts) {
  const { database, events, logger, security, live, limits, auth, observability } = parts;
  const db = database.prisma;
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: "/graphql",
    // Yoga's GraphiQL loads its assets from public CDNs, which the gateway's users may not reach:
    // playgroundPlugin serves one with its assets inlined instead.
    graphiql: false,
    // Unexpected errors are masked; expected ones (bad cursor, page too large…) keep their code.
    maskedErrors: { maskError: exposeExpectedErrors },
    // On pino; expected errors (typed, validation, limits) are not logged as errors (src/observability/).
    logging: observability.yogaLogger,
    // Bounded before any work: body size (bodySizeLimit, cheaper than yoga's own), query size and
    // tokens, cheap limits before validation.
    maxRequestBodySize: false,
    parserAndValidationCache: boundedParserCache(),
    batching: false,
    // GraphQL multipart requests carry import files (startCustomerImport's input.file). Yoga's
    // parser (@whatwg-node) holds each file in memory while it parses the request, so an upload
    // costs up to IMPORT_MAX_UPLOAD_BYTES of memory until the resolver has spooled it to a
    // temporary file; for larger files use a server-side path (IMPORT_DIR) or the CLI. Browsers
    // cannot send the credential headers cross-origin without a preflight, so a multipart form
    // post (no preflight) carries no credential.
    multipart: true,
    cors: corsFromAllowList(config.corsOrigins),
    plugins: [
      observability.plugin,
      ...routePlugins(config, parts),
      checkGetParams,
      // An upload may reach IMPORT_MAX_UPLOAD_BYTES (plus room for the multipart envelope).
      bodySizeLimit(config.limits.maxBodyBytes, config.imports.maxUploadBytes + 64 * 1024),
      ...operationLimitPlugins(config.limits),
      inputGuardPlugin,
      useRevocableStreams(live),
      useSharedSubscriptionExecution(),
      useRateLimits(limits, security),
      // After the rate limit: nested reads the selection allows are built in PostgreSQL.
      useSqlRead(),
      normalizeErrorsPlugin((err) => logger.error({ err }, "unexpected error")),
    ],
    context: createContextFactory({
      db,
      sql: database.sql,
      events,
      auth,
      security,
      trustProxy: config.trustProxy,
      streamBuffer: config.auditStreamBuffer,
      tenantIdBySlug: cachedTenantIdBySlug(db),
      exportFiles: { dir: config.exportDir, pageSize: config.exportPageSize },
      imports: config.imports,
      connectors: config.connectors,
      authenticateAdmin: adminAuthenticator(config, parts),
      authenticateCustomer: (header, report) => customerFromHeaders(database.sql, auth, header, report),
    }),
  });
}

/** Plugins that answer their own routes or wrap every request: spans, the playground, the console, JWKS, downloads, inflow. */
function routePlugins(config: Config, parts: Parts): Plugin[] {
  const { database, events, logger, security, limits, auth, graphqlTracing } = parts;
  const db = database.prisma;
  const authenticateAdmin = adminAuthenticator(config, parts);
  return [
    ...(graphqlTracing ? [graphqlTracing] : []),
    ...(config.playground ? [playgroundPlugin("/graphql")] : []),
    ...(config.console ? [consoleSessionPlugin({ db, events, logger, auth, trustProxy: config.trustProxy }), consolePlugin()] : []),
    jwksPlugin(auth.keys),
    exportDownloadPlugin({
      db,
      events,
      sql: database.sql,
      masterKey: auth.keys.masterKey,
      trustProxy: config.trustProxy,
      pageSize: config.exportPageSize,
      exportDir: config.exportDir,
    }),
    // The console's session too (a fetch with its CSRF and store headers): the same authenticator as /graphql.
    errorReportPlugin(db, (request) =>
      authenticateAdmin((name) => request.headers.get(name), { security, request: requestInfo(request, undefined, config.trustProxy) }),
    ),
    inflowPlugin({ db, events, masterKey: auth.keys.masterKey, limits, trustProxy: config.trustProxy, logger }),
  ];
}

async function listen(server: Server, config: Config): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  return `http://${host}:${port}/graphql`;
}

/**
 * Who an HTTP request or a graphql-ws socket acts as: the console's session (when the console is
 * on and the store is named), else the API credential headers; null when neither is given.
 */
function adminAuthenticator(config: Config, { database, credentials }: Parts) {
  const db = database.prisma;
  return async (header: (name: string) => string | null | undefined, report: AuthFailureReport) =>
    (config.console ? await adminFromConsole(db, header) : null) ?? adminFromHeaders(db, credentials.authenticate, header, report);
}
