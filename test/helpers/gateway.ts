import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type ExecutionResult } from "graphql";
import { createApp, type App } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import type { Db } from "../../src/db/database.ts";
import type { DestinationStream } from "../../src/logger.ts";
import { serviceContext, type ServiceContext } from "../../src/service-context.ts";
import { createTenant, type CreatedTenant } from "../../src/tenants/service.ts";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateCustomerDocument,
  SetPasswordDocument,
  SignInDocument,
  type CreateCustomerInput,
  type CustomerFieldsFragment,
  type SignInMutation,
} from "../generated/graphql.ts";
import { createTestDatabase, type StatementCounter } from "./database.ts";

export interface TestTenant {
  id: string;
  slug: string;
  /** Row id of the tenant's initial admin credential. */
  credentialId: string;
  keyId: string;
  secret: string;
  headers: Record<string, string>;
}

/**
 * Who sends a request: tenant A's or B's admin, nobody, or explicit headers; `bearer` adds a
 * customer access token (Authorization: Bearer), `tenant` the public X-Tenant header (a slug).
 */
export type As = "A" | "B" | "anonymous" | { headers?: Record<string, string>; bearer?: string; tenant?: string };

export type SignedIn = Extract<SignInMutation["signIn"], { __typename: "SignInPayload" }>;

/** The password test customers get unless a test says otherwise. */
export const PASSWORD = "correct horse battery staple";

/** A customer with a password who has signed in: the customer, and the tokens of that session. */
export interface SignedInCustomer {
  customer: CustomerFieldsFragment;
  tokens: SignedIn;
  /** Sends a request with the access token (Authorization: Bearer). */
  as: { bearer: string };
}

export interface TestGateway {
  app: App;
  db: Db;
  statements: StatementCounter;
  /** Two tenants, each with an all-scopes admin credential. */
  tenants: { A: TestTenant; B: TestTenant };
  /** Sends one GraphQL request through the gateway's HTTP handler. */
  gql<R, V extends Record<string, unknown>>(
    doc: TypedDocumentNode<R, V>,
    variables?: V,
    as?: As,
  ): Promise<ExecutionResult<R> & { status: number }>;
  /** The service context adminService() builds for a request with tenant A's (or B's) credential. */
  serviceContext(tenant?: "A" | "B"): ServiceContext;
  /** Creates a customer as an admin of `as` (default A); throws unless it succeeds. */
  createCustomer(input: CreateCustomerInput, as?: As): Promise<CustomerFieldsFragment>;
  /** Sets a customer's password as an admin of `as` (default A); throws unless it succeeds. */
  setPassword(customerId: string, password?: string, as?: As): Promise<void>;
  /** Creates a customer with its password (default PASSWORD; null: none) in one createCustomer; throws unless it succeeds. */
  createCustomerWithPassword(input: CreateCustomerInput, password?: string | null, tenant?: "A" | "B"): Promise<CustomerFieldsFragment>;
  /**
   * Creates a customer with a password (default PASSWORD) and signs it in with its first email
   * address; throws unless every step succeeds.
   */
  createSignedInCustomer(input: CreateCustomerInput, password?: string, tenant?: "A" | "B"): Promise<SignedInCustomer>;
  /** Signs a customer of tenant A (or B) in through the signIn mutation; throws on failure. */
  signIn(identifier: string, password: string, tenant?: "A" | "B"): Promise<SignedIn>;
  /** Starts a real HTTP server on a free port; resolves with its GraphQL URL. */
  listen(): Promise<string>;
  /** Another gateway node on the same database (and the same Redis, if any); not started. */
  addNode(): Promise<App>;
  close(): Promise<void>;
}

export function tenantOf(created: CreatedTenant): TestTenant {
  return {
    id: created.tenant.id,
    slug: created.tenant.slug,
    credentialId: created.credential.id,
    keyId: created.credential.keyId,
    secret: created.secret,
    headers: { "x-api-key": created.credential.keyId, "x-api-secret": created.secret },
  };
}

export interface TestGatewayOptions {
  /** Fan events out through this Redis (REDIS_URL) instead of in process. */
  redisUrl?: string;
  /** AUDIT_STREAM_BUFFER for this gateway. */
  streamBuffer?: number;
  /** More environment variables for loadConfig (e.g. LOCKOUT_THRESHOLD). */
  env?: Record<string, string>;
  /** Where the gateway's log lines go (with env LOG_LEVEL; tests run silent by default). */
  logDestination?: DestinationStream;
}

/**
 * argon2 parameters for tests: 1 MiB and one pass instead of OWASP's 19 MiB and two, so the
 * suites stay fast on shared cores. The rehash test changes them at run time.
 */
export const TEST_ARGON2 = { ARGON2_MEMORY_KIB: "1024", ARGON2_TIME_COST: "1", ARGON2_PARALLELISM: "1" };

// One master key per test run: the database is fresh per gateway anyway.
const TEST_MASTER_KEY = randomBytes(32).toString("base64");
// Scheduled export files of this test run (one subfolder per tenant id, so gateways never collide).
export const TEST_EXPORT_DIR = join(tmpdir(), `gateway-test-exports-${process.pid}`);

/** The configuration test gateways run with (`options.env` on top). */
export const testConfig = (options: TestGatewayOptions) =>
  loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    BOOTSTRAP: "false",
    MASTER_KEY: TEST_MASTER_KEY,
    // Many tests compare the statements of two requests; a credential read that one of them skips
    // because the other warmed the cache would make that timing-dependent. The cache has its own
    // tests (credential-cache.test.ts) and revocation.test.ts runs with it on.
    ADMIN_CREDENTIAL_CACHE_MS: "0",
    // Tests run due export schedules themselves (runDueExports), never on a timer's whim.
    EXPORT_SCHEDULER_INTERVAL_MS: "0",
    // Connector deliveries are sent only by the tests that turn the worker on (its statements
    // would otherwise land in other tests' statement counts).
    CONNECTOR_WORKER_INTERVAL_MS: "0",
    BULK_WORKER_INTERVAL_MS: "0",
    // Tests sign audit checkpoints themselves (signCheckpoints), never on a timer's whim.
    AUDIT_CHECKPOINT_INTERVAL_MS: "0",
    // Likewise notifications: test/notifications*.test.ts turn their worker on.
    NOTIFICATION_WORKER_INTERVAL_MS: "0",
    EXPORT_DIR: TEST_EXPORT_DIR,
    // A test that stops its gateway has no request worth waiting for.
    SHUTDOWN_TIMEOUT_MS: "1000",
    ...TEST_ARGON2,
    ...options.env,
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...(options.streamBuffer ? { AUDIT_STREAM_BUFFER: String(options.streamBuffer) } : {}),
  });

/** A gateway on a fresh database (PGlite or PostgreSQL, per the vitest project) with tenants A and B. */
export async function createTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const { database, statements, close } = await createTestDatabase();
  const app = await createApp({ config: testConfig(options), database, logDestination: options.logDestination });
  const nodes: App[] = [];
  const db = database.prisma;
  const A = tenantOf(await createTenant(db, app.events, { slug: "tenant-a" }));
  const B = tenantOf(await createTenant(db, app.events, { slug: "tenant-b" }));
  const tenants = { A, B };
  const gateway: TestGateway = {
    app,
    db,
    statements,
    tenants,
    async gql(doc, variables, as = "A") {
      const auth =
        as === "anonymous"
          ? {}
          : typeof as === "string"
            ? tenants[as].headers
            : {
                ...as.headers,
                ...(as.bearer ? { authorization: `Bearer ${as.bearer}` } : {}),
                ...(as.tenant ? { "x-tenant": as.tenant } : {}),
              };
      const response = await app.yoga.fetch("http://gateway.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "vitest", ...auth },
        body: JSON.stringify({ query: print(doc), variables }),
      });
      return { ...(await response.json()), status: response.status };
    },
    serviceContext(tenant = "A") {
      const { id, credentialId } = tenants[tenant];
      return serviceContext({ db, events: app.events }, id, { kind: "ADMIN", id: credentialId });
    },
    async createCustomer(input, as = "A") {
      const res = await gateway.gql(CreateCustomerDocument, { input }, as);
      const payload = res.data?.createCustomer;
      if (payload?.__typename !== "CreateCustomerPayload") throw new Error(`createCustomer failed: ${JSON.stringify(res)}`);
      return payload.customer;
    },
    async setPassword(customerId, password = PASSWORD, as = "A") {
      const res = await gateway.gql(SetPasswordDocument, { customerId, password }, as);
      if (res.data?.setPassword.__typename !== "SetPasswordPayload") throw new Error(`setPassword failed: ${JSON.stringify(res)}`);
    },
    async createCustomerWithPassword(input, password = PASSWORD, tenant = "A") {
      return gateway.createCustomer(password === null ? input : { ...input, password }, tenant);
    },
    async createSignedInCustomer(input, password = PASSWORD, tenant = "A") {
      const identifier = input.emails?.[0]?.address;
      if (!identifier) throw new Error("createSignedInCustomer signs in with the first email address: give one");
      const customer = await gateway.createCustomerWithPassword(input, password, tenant);
      const tokens = await gateway.signIn(identifier, password, tenant);
      return { customer, tokens, as: { bearer: tokens.accessToken } };
    },
    async signIn(identifier, password, tenant = "A") {
      const res = await gateway.gql(SignInDocument, { identifier, password }, { tenant: tenants[tenant].slug });
      const payload = res.data?.signIn;
      if (payload?.__typename !== "SignInPayload") throw new Error(`sign-in failed: ${JSON.stringify(res)}`);
      return payload;
    },
    listen: () => app.start(),
    async addNode() {
      const node = await createApp({ config: testConfig(options), database, logDestination: options.logDestination });
      nodes.push(node);
      return node;
    },
    async close() {
      for (const node of nodes) await node.stop();
      await app.stop();
      await close();
    },
  };
  return gateway;
}
