import { describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import { loadConfig } from "../src/config.ts";
import { CustomerSessionsDocument, MeDocument, RefreshSessionDocument } from "./generated/graphql.ts";
import { rowId } from "./helpers/ids.ts";

// A session nobody uses ends after SESSION_IDLE_TIMEOUT_SECONDS even though its absolute lifetime
// (SESSION_TTL_SECONDS) has not run out: a token left behind on a shared computer stops working.

const gw = useTestGateway({ env: { SESSION_IDLE_TIMEOUT_SECONDS: "3600", ACCESS_TOKEN_TTL_SECONDS: "900" } });
let customers = 0;

async function signedIn() {
  const email = `idle-${++customers}@example.com`;
  return gw.createSignedInCustomer({ emails: [{ address: email }] });
}

/** Pretends the session was last used `seconds` ago (its idle deadline moves back as much). */
async function idleFor(sessionId: string, seconds: number) {
  const row = await gw.db.session.findUniqueOrThrow({ where: { id: rowId(sessionId) } });
  await gw.db.session.update({ where: { id: row.id }, data: { idleExpiresAt: new Date(row.idleExpiresAt!.getTime() - seconds * 1000) } });
}

describe("the idle timeout", () => {
  it("gives a new session an idle deadline one timeout after sign-in, well before its absolute end", async () => {
    const { tokens } = await signedIn();
    const row = await gw.db.session.findUniqueOrThrow({ where: { id: rowId(tokens.sessionId) } });
    expect(row.idleExpiresAt!.getTime() - row.createdAt.getTime()).toBe(3600_000);
    expect(row.expiresAt.getTime()).toBeGreaterThan(row.idleExpiresAt!.getTime());
  });

  it("ends a session left unused past it: the access token is refused, the refresh token too, and the session lists as ended", async () => {
    const { customer, tokens } = await signedIn();
    expect((await gw.gql(MeDocument, {}, { bearer: tokens.accessToken })).status).toBe(200);
    await idleFor(tokens.sessionId, 3601);
    const me = await gw.gql(MeDocument, {}, { bearer: tokens.accessToken });
    expect([me.status, me.errors?.[0].extensions?.code]).toEqual([401, "UNAUTHENTICATED"]);
    const refreshed = await gw.gql(RefreshSessionDocument, { refreshToken: tokens.refreshToken }, { tenant: gw.tenants.A.slug });
    expect(refreshed.data!.refreshSession).toMatchObject({ code: "INVALID_TOKEN" });
    const ended = (await gw.gql(CustomerSessionsDocument, { id: customer.id, active: false })).data!.customer!.sessions;
    expect(ended.edges.map((e) => [e.node.id, e.node.active])).toEqual([[tokens.sessionId, false]]);
    expect((await gw.gql(CustomerSessionsDocument, { id: customer.id, active: true })).data!.customer!.sessions.totalCount).toBe(0);
  });

  it("moves the idle deadline forward on every refresh, so a session in use lives on", async () => {
    const { tokens } = await signedIn();
    await idleFor(tokens.sessionId, 3000); // 10 minutes left
    const refreshed = await gw.gql(RefreshSessionDocument, { refreshToken: tokens.refreshToken }, { tenant: gw.tenants.A.slug });
    expect(refreshed.data!.refreshSession.__typename).toBe("RefreshSessionPayload");
    const row = await gw.db.session.findUniqueOrThrow({ where: { id: rowId(tokens.sessionId) } });
    expect(row.idleExpiresAt!.getTime() - Date.now()).toBeGreaterThan(3500_000);
  });

  it("is off with 0, and refuses a timeout no longer than an access token lives", () => {
    expect(loadConfig({ SESSION_IDLE_TIMEOUT_SECONDS: "0" }).auth.sessionIdleTimeoutSeconds).toBe(0);
    expect(() => loadConfig({ SESSION_IDLE_TIMEOUT_SECONDS: "600", ACCESS_TOKEN_TTL_SECONDS: "900" })).toThrow(
      /SESSION_IDLE_TIMEOUT_SECONDS: must be 0/,
    );
  });
});
