import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { IncomingMessage } from "node:http";
import { sameOrigin } from "../src/graphql/socket-credentials.ts";
import { disableTeamMember } from "../src/team/service.ts";
import { LatestAuditCursorDocument } from "./generated/graphql.ts";
import { consoleHeaders } from "./helpers/console.ts";
import { subscribeAudit } from "./helpers/subscriber.ts";
import { useTestGateway } from "./helpers/suite.ts";

// The console's graphql-ws sockets (a real listening gateway, the graphql-ws client): the store and
// the CSRF token travel in connection params, the session cookie with the upgrade request, as a
// browser sends it. On PostgreSQL the gateway fans events (and revocations) out through Redis.

const gw = useTestGateway({ listen: true, redisUrl: process.env.TEST_DB === "postgres" ? process.env.REDIS_URL : undefined });

const SUBSCRIPTION = `subscription ($after: String) {
  auditEvents(after: $after) { sequence cursor type customerId teamMember { name } }
}`;

/** A `ws` WebSocket whose upgrade request carries `headers` (the cookie, an Origin). */
const upgradeWith = (headers: Record<string, string>) =>
  class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  } as typeof WebSocket;

/** A console session's socket subscribed to auditEvents after the latest event. */
async function consoleSubscriber(session: Record<string, string>, upgrade: Record<string, string> = { cookie: session.cookie! }) {
  const after = (await gw.gql(LatestAuditCursorDocument)).data!.auditEvents.edges[0]!.cursor;
  const params = { "x-console-store": session["x-console-store"]!, "x-csrf-token": session["x-csrf-token"]! };
  return subscribeAudit(gw.url, params, { after }, SUBSCRIPTION, upgradeWith(upgrade));
}

const origin = () => new URL(gw.url).origin;
const createCustomer = (address: string) => gw.createCustomer({ emails: [{ address }] });

describe("console sessions on graphql-ws", () => {
  it("subscribe to the store's audit events with the session cookie, the store and the CSRF token", async () => {
    const session = await consoleHeaders(gw);
    const sub = await consoleSubscriber(session, { cookie: session.cookie!, origin: origin() });
    const customer = await createCustomer(`socket-live-${Date.now()}@example.com`);
    await sub.waitFor(1);
    expect(sub.events).toEqual([expect.objectContaining({ type: "customer.created", customerId: customer.id, teamMember: null })]);
    expect(sub.closeCode).toBeUndefined();
    await sub.close();
  });

  it("refuse with 4403 a wrong CSRF token, another session's store, no cookie and a cross-site Origin", async () => {
    const [session, other] = [await consoleHeaders(gw), await consoleHeaders(gw)];
    const refused = [
      await consoleSubscriber({ ...session, "x-csrf-token": other["x-csrf-token"]! }),
      await consoleSubscriber({ ...session, "x-console-store": other["x-console-store"]! }),
      await consoleSubscriber(session, {}),
      await consoleSubscriber(session, { cookie: session.cookie!, origin: "http://evil.example" }),
      await consoleSubscriber(session, { cookie: session.cookie!, origin: "null" }),
    ];
    await Promise.all(refused.map((sub) => sub.waitForClose()));
    expect(refused.map((sub) => sub.closeCode)).toEqual([4403, 4403, 4403, 4403, 4403]);
    await createCustomer(`socket-refused-${Date.now()}@example.com`);
    expect(refused.flatMap((sub) => sub.events)).toEqual([]);
  });

  it("refuse with 4401 a cookie without the store, as a socket without any credential", async () => {
    const session = await consoleHeaders(gw);
    const sub = subscribeAudit(
      gw.url,
      { "x-csrf-token": session["x-csrf-token"]! },
      {},
      SUBSCRIPTION,
      upgradeWith({ cookie: session.cookie! }),
    );
    await sub.waitForClose();
    expect(sub.closeCode).toBe(4401);
  });

  it("close with 4403 when the member signs out, while another session's socket stays open", async () => {
    const [session, other] = [await consoleHeaders(gw), await consoleHeaders(gw)];
    const [leaving, staying] = [await consoleSubscriber(session), await consoleSubscriber(other)];
    await createCustomer(`socket-out-${Date.now()}@example.com`);
    await Promise.all([leaving.waitFor(1), staying.waitFor(1)]);

    const signOut = await fetch(new URL("/console/session", gw.url), {
      method: "DELETE",
      headers: { cookie: session.cookie!, "x-csrf-token": session["x-csrf-token"]! },
    });
    expect(signOut.status).toBe(204);
    await leaving.waitForClose();
    expect(leaving.closeCode).toBe(4403);
    await staying.waitFor(2); // the other session's credential.revoked
    expect(staying.events[1]).toMatchObject({ type: "credential.revoked", teamMember: { name: expect.any(String) } });
    expect(staying.closeCode).toBeUndefined();
    await staying.close();
  });

  it("close with 4403 when the member is disabled", async () => {
    const session = await consoleHeaders(gw);
    const { teamMember } = await gw.db.adminCredential.findUniqueOrThrow({
      where: { keyId: session["x-console-store"] },
      include: { teamMember: true },
    });
    const sub = await consoleSubscriber(session);
    await createCustomer(`socket-disabled-${Date.now()}@example.com`);
    await sub.waitFor(1);

    expect(await disableTeamMember({ db: gw.db, events: gw.app.events }, teamMember!.email)).toBe(1);
    await sub.waitForClose();
    expect(sub.closeCode).toBe(4403);
  });
});

describe("the same-origin check of an upgrade request", () => {
  const upgrade = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
  it.each([
    [{ host: "gw.example:8080" }, false, true],
    [{ host: "gw.example:8080", origin: "https://gw.example:8080" }, false, true],
    [{ host: "GW.example:8080", origin: "http://gw.example:8080" }, false, true],
    [{ host: "gw.example:8080", origin: "https://gw.example" }, false, false],
    [{ host: "gw.example", origin: "https://evil.example" }, false, false],
    [{ host: "gw.example", origin: "null" }, false, false],
    [{ host: "10.0.0.5:4000", origin: "https://gw.example", "x-forwarded-host": "gw.example" }, true, true],
    [{ host: "10.0.0.5:4000", origin: "https://gw.example", "x-forwarded-host": "gw.example" }, false, false],
  ])("%j (trustProxy %s): %s", (headers, trustProxy, expected) => {
    expect(sameOrigin(upgrade(headers), trustProxy)).toBe(expected);
  });
});
