import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { REVOCATION_BOUND_MS } from "../../src/admin-auth/live-connections.ts";
import { CreateAdminCredentialDocument, LatestAuditCursorDocument, type AdminScope } from "../generated/graphql.ts";
import type { TestGateway } from "./gateway.ts";
import { rowId } from "./ids.ts";

// Helpers for the tests of revocation reaching live connections and caches (test/revocation.test.ts,
// test/credential-cache.test.ts), and `issue` for any test that needs a credential of its own.

/** Issues a credential of tenant A over HTTP: with `scopes`, or the default ones when absent. */
export async function issue(gw: TestGateway, name: string, scopes?: AdminScope[]) {
  const res = await gw.gql(CreateAdminCredentialDocument, { name, scopes });
  const payload = res.data!.createAdminCredential;
  if (payload.__typename !== "CreateAdminCredentialPayload") throw new Error(JSON.stringify(res));
  const { credential, secret } = payload.issued;
  return { globalId: credential.id, id: rowId(credential.id), headers: { "x-api-key": credential.keyId, "x-api-secret": secret } };
}

/** Subscription variables that replay exactly one event first, so the stream is live once it arrived. */
export async function oneBack(gw: TestGateway) {
  const latest = Number((await gw.gql(LatestAuditCursorDocument, {})).data!.auditEvents.edges[0].cursor);
  return { after: String(latest - 1) };
}

export const credentialCount = (gw: TestGateway) => gw.db.adminCredential.count({ where: { tenantId: gw.tenants.A.id } });

/** Revokes in the database only: no audit event, nothing on the bus (a lost message, in effect). */
export const revokeSilently = (gw: TestGateway, id: string) =>
  gw.db.adminCredential.update({ where: { id }, data: { revokedAt: new Date() } });

/**
 * Resolves just after a periodic re-check ran (its batched credential query): the next one is
 * seconds away, so whatever closes a connection within the next second is something else.
 */
export async function periodicRecheck(gw: TestGateway) {
  gw.statements.reset();
  const ran = () => gw.statements.sql.some((sql) => sql.includes("admin_credential") && / IN \(/.test(sql));
  for (const deadline = Date.now() + REVOCATION_BOUND_MS; !ran();) {
    if (Date.now() > deadline) throw new Error("no periodic re-check ran within the bound");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function closedEvents(gw: TestGateway, credentialId: string) {
  await gw.app.security.settled();
  const rows = await gw.db.auditEvent.findMany({ where: { type: "security.connection_closed" }, orderBy: { seq: "asc" } });
  return rows.map((row) => row.data as Record<string, unknown>).filter((data) => data.credentialId === credentialId);
}

/**
 * A second gateway node on the suite's database, joined to the first by Redis, started before the
 * block's tests: its URL, and its Redis subscriber connection ids — what a network blip would cut
 * (`blip()` kills them; the node reconnects and re-subscribes).
 */
export function useSecondNode(gw: TestGateway, redisUrl: string) {
  const node = { url: "", subscribers: [] as string[], blip: async () => undefined as void };
  let redis: Redis | undefined;
  const pubsubClients = async () => ((await redis!.call("CLIENT", "LIST", "TYPE", "pubsub")) as string).match(/(?<=^id=)\d+/gm) ?? [];
  beforeAll(async () => {
    redis = new Redis(redisUrl);
    const before = new Set(await pubsubClients());
    node.url = await (await gw.addNode()).start();
    node.subscribers = (await pubsubClients()).filter((id) => !before.has(id));
    node.blip = async () => {
      for (const id of node.subscribers) await redis!.call("CLIENT", "KILL", "ID", id);
    };
  });
  afterAll(() => redis?.disconnect());
  return node;
}
