import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { unsealAuditData } from "../src/pii/audit-seal.ts";
import { InflowRequestsDocument } from "./generated/graphql.ts";
import { snapshotDatabase } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";
import {
  createInflowConnector,
  inflowUrl,
  post,
  postSigned,
  rotateInflowSecret,
  signedHeaders,
  type TestInflowConnector,
} from "./helpers/inflow-connectors.ts";

// POST /connectors/inflow/<id> through the real HTTP server: authentication (Standard Webhooks
// signatures made by the `standardwebhooks` library, bearer secrets), webhook-id idempotency
// (sequential and concurrent), the refusals and their codes, and the request log.

const gw = useTestGateway({ listen: true });
let signed: TestInflowConnector;
let url: string;

beforeAll(async () => {
  signed = await createInflowConnector(gw);
  url = inflowUrl(gw.url, signed.id);
});

const customers = () => gw.db.customer.count({ where: { tenantId: gw.tenants.A.id } });
const logOf = async (connector: TestInflowConnector, vars: { outcome?: "APPLIED" | "DUPLICATE" | "REJECTED"; first?: number } = {}) => {
  const res = await gw.gql(InflowRequestsDocument, { connectorId: connector.globalId, first: 100, ...vars });
  expect(res.errors).toBeUndefined();
  return res.data!.inflowRequests.edges.map((e) => e.node);
};

/** Runs `act` and proves nothing changed but one more REJECTED row in the inflow log. */
async function expectOnlyLoggedRejection(act: () => Promise<unknown>) {
  const { inflow_request: logBefore, ...before } = await snapshotDatabase(gw.db);
  await act();
  const { inflow_request: logAfter, ...after } = await snapshotDatabase(gw.db);
  expect(after).toEqual(before);
  expect(logAfter!.length).toBe(logBefore!.length + 1);
  const added = logAfter!.filter((row) => !logBefore!.includes(row)).map((row) => JSON.parse(row) as { outcome: string });
  expect(added.map((r) => r.outcome)).toEqual(["REJECTED"]);
}

describe("a signed post", () => {
  it("creates the customer, records customer.created with the connector as actor, and logs the request as APPLIED", async () => {
    const webhookId = `msg_${randomUUID()}`;
    const res = await postSigned(url, signed, { email: "ada@crm.example", firstName: "Ada" }, { webhookId });
    expect(res).toMatchObject({ status: 200, body: { outcome: "APPLIED", created: true, changed: true } });
    const customerId = res.body.customerId as string;
    const customer = await gw.db.customer.findUniqueOrThrow({ where: { id: customerId }, include: { contacts: true } });
    expect(customer.firstName).toBe("Ada");
    expect(customer.contacts.map((c) => [c.normalized, c.primary])).toEqual([["ada@crm.example", true]]);
    const events = await unsealAuditData(gw.db, await gw.db.auditEvent.findMany({ where: { customerId } }));
    expect(events).toMatchObject([
      {
        type: "customer.created",
        actorKind: "CONNECTOR",
        actorId: signed.id,
        ip: "127.0.0.1",
        userAgent: "crm-sync/1.0",
        data: { emails: ["ada@crm.example"] },
      },
    ]);
    const [logged] = await logOf(signed);
    expect(logged).toMatchObject({ webhookId, outcome: "APPLIED", statusCode: 200, created: true, error: null, fieldErrors: [] });
    expect(logged!.customerId).toBeTruthy();
  });

  it("is applied once per webhook-id: the same post again answers DUPLICATE with the first result and changes nothing", async () => {
    const webhookId = `msg_${randomUUID()}`;
    const body = { email: "grace@crm.example", firstName: "Grace" };
    const first = await postSigned(url, signed, body, { webhookId });
    expect(first.body).toMatchObject({ outcome: "APPLIED", created: true });
    const { inflow_request: _log, ...before } = await snapshotDatabase(gw.db);
    const again = await postSigned(url, signed, { ...body, firstName: "Changed" }, { webhookId });
    expect(again).toMatchObject({
      status: 200,
      body: { outcome: "DUPLICATE", duplicate: true, customerId: first.body.customerId, created: true },
    });
    const { inflow_request: _after, ...after } = await snapshotDatabase(gw.db);
    expect(after).toEqual(before);
    expect((await logOf(signed)).filter((r) => r.webhookId === webhookId).map((r) => r.outcome)).toEqual(["DUPLICATE", "APPLIED"]);
  });

  it("applies two identical posts sent at once exactly once: one APPLIED, the other DUPLICATE", async () => {
    const webhookId = `msg_${randomUUID()}`;
    const body = { email: "twice@crm.example" };
    const before = await customers();
    const answers = await Promise.all([1, 2, 3].map(() => postSigned(url, signed, body, { webhookId })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.body.outcome).sort()).toEqual(["APPLIED", "DUPLICATE", "DUPLICATE"]);
    expect(new Set(answers.map((a) => a.body.customerId)).size).toBe(1);
    expect(await customers()).toBe(before + 1);
    const created = await gw.db.auditEvent.count({
      where: { type: "customer.created", customerId: answers[0]!.body.customerId as string },
    });
    expect(created).toBe(1);
  });
});

describe("refused signatures", () => {
  const body = JSON.stringify({ email: "mallory@crm.example" });

  it("refuses a timestamp older than 5 minutes with 401, logged", async () => {
    await expectOnlyLoggedRejection(async () => {
      const res = await post(url, body, signedHeaders(signed.secret, body, { at: new Date(Date.now() - 6 * 60_000) }));
      expect(res).toEqual({ status: 401, body: { error: { code: "UNAUTHENTICATED", message: "signature invalid or expired" } } });
    });
  });

  it("refuses a body changed after signing with 401", async () => {
    await expectOnlyLoggedRejection(async () => {
      const headers = signedHeaders(signed.secret, body);
      expect((await post(url, body.replace("mallory", "eve"), headers)).status).toBe(401);
    });
  });

  it("refuses a signature under another secret, and a post without the headers, with 401", async () => {
    const other = await createInflowConnector(gw);
    await expectOnlyLoggedRejection(async () => expect((await post(url, body, signedHeaders(other.secret, body))).status).toBe(401));
    await expectOnlyLoggedRejection(async () => expect((await post(url, body)).status).toBe(401));
    const [logged] = await logOf(signed, { outcome: "REJECTED", first: 1 });
    expect(logged).toMatchObject({ statusCode: 401, error: "signature invalid or expired", customerId: null });
  });

  it("accepts the previous secret during its rotation overlap and refuses it once the overlap is over", async () => {
    const connector = await createInflowConnector(gw);
    const endpoint = inflowUrl(gw.url, connector.id);
    const rotated = await rotateInflowSecret(gw, connector, new Date(Date.now() + 60_000));
    expect((await postSigned(endpoint, connector, { email: "old-secret@crm.example" })).status).toBe(200);
    expect((await postSigned(endpoint, rotated, { email: "new-secret@crm.example" })).status).toBe(200);
    await gw.db.connector.update({ where: { id: connector.id }, data: { previousSecretExpiresAt: new Date(Date.now() - 1000) } });
    expect((await postSigned(endpoint, connector, { email: "too-late@crm.example" })).status).toBe(401);
    expect((await postSigned(endpoint, rotated, { email: "new-again@crm.example" })).status).toBe(200);
  });
});

describe("a bearer connector", () => {
  it("accepts its secret as a bearer token, without webhook-id, and refuses anything else with 401", async () => {
    const bearer = await createInflowConnector(gw, { auth: "BEARER" });
    const endpoint = inflowUrl(gw.url, bearer.id);
    const ok = await post(endpoint, { email: "bearer@crm.example" }, { authorization: `Bearer ${bearer.secret}` });
    expect(ok).toMatchObject({ status: 200, body: { outcome: "APPLIED", created: true } });
    for (const authorization of [`Bearer ${signed.secret}`, `Bearer ${bearer.secret}x`, bearer.secret, ""]) {
      await expectOnlyLoggedRejection(async () => {
        expect((await post(endpoint, { email: "bearer-2@crm.example" }, { authorization })).status).toBe(401);
      });
    }
    // A signature is no bearer secret.
    const text = JSON.stringify({ email: "bearer-3@crm.example" });
    expect((await post(endpoint, text, signedHeaders(bearer.secret, text))).status).toBe(401);
  });

  it("is idempotent when the sender gives a webhook-id", async () => {
    const bearer = await createInflowConnector(gw, { auth: "BEARER" });
    const endpoint = inflowUrl(gw.url, bearer.id);
    const headers = { authorization: `Bearer ${bearer.secret}`, "webhook-id": "crm-event-42" };
    const first = await post(endpoint, { email: "bearer-once@crm.example" }, headers);
    const second = await post(endpoint, { email: "bearer-once@crm.example", firstName: "Again" }, headers);
    expect([first.body.outcome, second.body.outcome]).toEqual(["APPLIED", "DUPLICATE"]);
    expect(second.body.customerId).toBe(first.body.customerId);
  });
});

describe("refusals before authentication", () => {
  it("answers 404 for an unknown, malformed or outflow connector id, and logs nothing", async () => {
    const outflow = await createInflowConnector(gw, { direction: "OUTFLOW" });
    for (const id of [randomUUID(), "not-a-uuid", outflow.id]) {
      const before = await gw.db.inflowRequest.count();
      const res = await postSigned(inflowUrl(gw.url, id), signed, { email: "x@crm.example" });
      expect(res).toMatchObject({ status: 404, body: { error: { code: "CONNECTOR_NOT_FOUND" } } });
      expect(await gw.db.inflowRequest.count()).toBe(before);
    }
  });

  it("answers 405 to anything but POST", async () => {
    expect((await fetch(url)).status).toBe(405);
  });

  it("refuses an inactive connector with 409 CONNECTOR_INACTIVE, logged", async () => {
    const inactive = await createInflowConnector(gw, { active: false });
    await expectOnlyLoggedRejection(async () => {
      const res = await postSigned(inflowUrl(gw.url, inactive.id), inactive, { email: "inactive@crm.example" });
      expect(res).toMatchObject({ status: 409, body: { error: { code: "CONNECTOR_INACTIVE" } } });
    });
  });

  it("refuses a body that is not JSON: 415 for another media type, 400 for broken JSON", async () => {
    await expectOnlyLoggedRejection(async () => {
      const text = "email=x@crm.example";
      const res = await post(url, text, { ...signedHeaders(signed.secret, text), "content-type": "application/x-www-form-urlencoded" });
      expect(res).toMatchObject({ status: 415, body: { error: { code: "UNSUPPORTED_MEDIA_TYPE" } } });
    });
    await expectOnlyLoggedRejection(async () => {
      const text = '{"email": ';
      expect(await post(url, text, signedHeaders(signed.secret, text))).toMatchObject({
        status: 400,
        body: { error: { code: "BAD_REQUEST" } },
      });
    });
  });

  it("refuses a body over 1 MiB with 413, declared or streamed", async () => {
    const text = JSON.stringify({ email: "big@crm.example", nickname: "x".repeat(1024 * 1024) });
    await expectOnlyLoggedRejection(async () => {
      expect(await post(url, text, signedHeaders(signed.secret, text))).toMatchObject({
        status: 413,
        body: { error: { code: "PAYLOAD_TOO_LARGE" } },
      });
    });
    await expectOnlyLoggedRejection(async () => {
      const chunks = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(64 * 1024)));
          controller.close();
        },
      });
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...signedHeaders(signed.secret, "") },
        body: chunks,
        duplex: "half",
      } as RequestInit);
      expect(response.status).toBe(413);
    });
  });
});

describe("the rate limit", () => {
  const limited = useTestGateway({ listen: true, env: { RATE_LIMIT_INFLOW_PER_CONNECTOR: "3/60" } });

  it("answers 429 with Retry-After once a connector's budget is spent, whoever sends", async () => {
    const connector = await createInflowConnector(limited);
    const endpoint = inflowUrl(limited.url, connector.id);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await postSigned(endpoint, connector, { email: `limit-${i}@crm.example` })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const response = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.db.inflowRequest.count({ where: { connectorId: connector.id } })).toBe(3);
  });
});
