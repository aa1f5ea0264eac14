import { describe, expect, it } from "vitest";
import { createConnector } from "../src/connectors/service.ts";
import { liveSecrets, openSecret } from "../src/connectors/secrets.ts";
import {
  ActivateConnectorDocument,
  ConnectorDocument,
  ConnectorsDocument,
  CreateConnectorDocument,
  DeactivateConnectorDocument,
  DefineCustomFieldDocument,
  DeleteConnectorDocument,
  RotateConnectorSecretDocument,
  UpdateConnectorDocument,
  type ConnectorInput,
} from "./generated/graphql.ts";
import { rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Cloud connectors, admin side, through the GraphQL endpoint: the secret shown once, every field
// checked with its own error and nothing written, audited changes that never carry the secret or
// header values, activation, rotation with an overlap, deletion. No worker runs here (interval 0).

const gw = useTestGateway({ env: { CONNECTOR_WORKER_INTERVAL_MS: "0" } });

const OUTFLOW: ConnectorInput = { direction: "OUTFLOW", name: "crm", url: "https://crm.example/hooks", events: ["customer.*"] };

async function create(input: ConnectorInput) {
  const payload = (await gw.gql(CreateConnectorDocument, { input })).data!.createConnector;
  if (payload.__typename !== "CreateConnectorPayload") throw new Error(JSON.stringify(payload));
  return payload.issued;
}

const eventsOf = async (type: string) => (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === type);
const masterKey = () => gw.app.auth.keys.masterKey!;

describe("creating and reading connectors", () => {
  it("answers the secret once, stores it sealed, shows only a preview, and records connector.created without it", async () => {
    const { connector, secret } = await create({
      ...OUTFLOW,
      name: "crm-created",
      rule: 'customer.customFields.plan = "gold"',
      mapping: '{"id": customer.uid, "type": event.type}',
      headers: { Authorization: "Bearer third-party-token" },
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(connector).toMatchObject({
      direction: "OUTFLOW",
      name: "crm-created",
      active: true,
      url: "https://crm.example/hooks",
      events: ["customer.*"],
      headerNames: ["Authorization"],
      retryIntervalMs: 30000,
      maxAttempts: 5,
      backoff: "FIXED",
      timeoutMs: 10000,
      disableAfterFailures: 100,
      consecutiveFailures: 0,
      deactivatedReason: null,
      inflowAuth: null,
      matchBy: null,
      secretPreview: `whsec_…${secret.slice(-4)}`,
      previousSecretExpiresAt: null,
    });
    const row = await gw.db.connector.findUniqueOrThrow({ where: { id: rowId(connector.id) } });
    expect(row.secretSealed).not.toContain(secret.slice(6, 20));
    expect(openSecret(masterKey(), row.id, row.secretSealed)).toBe(secret);
    expect(row.eventLike).toEqual(["customer.%"]);

    const read = (await gw.gql(ConnectorDocument, { id: connector.id })).data!.connector!;
    expect(read.secretPreview).toBe(connector.secretPreview);
    expect(JSON.stringify(read)).not.toContain(secret);
    const [event] = await eventsOf("connector.created");
    expect(event.data).toMatchObject({ connectorId: row.id, name: "crm-created", headerNames: ["Authorization"], events: ["customer.*"] });
    expect(JSON.stringify(event.data)).not.toContain(secret);
    expect(JSON.stringify(event.data)).not.toContain("third-party-token");
  });

  it("creates an INFLOW connector with a mapping, matched by email unless told otherwise", async () => {
    const { connector } = await create({ direction: "INFLOW", name: "shop-inflow", mapping: '{"email": email}' });
    expect(connector).toMatchObject({ direction: "INFLOW", url: null, events: [], inflowAuth: "SIGNATURE", matchBy: "email" });
  });

  it("answers CONNECTORS_UNAVAILABLE when the gateway has no master key to seal the secret", async () => {
    const settings = { allowPrivateTargets: false, minRetryIntervalMs: 1000 };
    await expect(createConnector(gw.serviceContext("A"), { masterKey: null, settings }, { ...OUTFLOW, name: "x" })).rejects.toMatchObject({
      code: "CONNECTORS_UNAVAILABLE",
    });
  });

  it("lists connectors newest first, filtered by direction and activity, page by page", async () => {
    await create({ ...OUTFLOW, name: "list-1" });
    await create({ ...OUTFLOW, name: "list-2" });
    const all = (await gw.gql(ConnectorsDocument, { first: 50, direction: "OUTFLOW" })).data!.connectors;
    const names = all.edges.map((e) => e.node.name);
    expect(names.indexOf("list-2")).toBeLessThan(names.indexOf("list-1"));
    expect(all.edges.every((e) => e.node.direction === "OUTFLOW")).toBe(true);
    const first = (await gw.gql(ConnectorsDocument, { first: 1 })).data!.connectors;
    const next = (await gw.gql(ConnectorsDocument, { first: 1, after: first.pageInfo.endCursor })).data!.connectors;
    expect(next.edges[0].node.id).not.toBe(first.edges[0].node.id);
    const inflow = (await gw.gql(ConnectorsDocument, { first: 50, direction: "INFLOW" })).data!.connectors.edges;
    expect(inflow.map((e) => e.node.name)).toEqual(["shop-inflow"]);
    expect((await gw.gql(ConnectorsDocument, { first: 50, active: false })).data!.connectors.edges).toEqual([]);
  });
});

describe("validation", () => {
  const cases: [string, Partial<ConnectorInput>, string, RegExp][] = [
    ["an empty name", { name: " " }, "input.name", /give a name/],
    ["no URL", { url: null }, "input.url", /needs a target URL/],
    ["a URL that is not one", { url: "crm" }, "input.url", /not a URL/],
    ["a private http target", { url: "http://127.0.0.1:9/hook" }, "input.url", /must be https/],
    ["a target on a private address", { url: "https://10.0.0.1/hook" }, "input.url", /private or loopback/],
    ["credentials in the URL", { url: "https://user:pw@crm.example/" }, "input.url", /credentials/],
    ["no events", { events: [] }, "input.events", /at least one event type/],
    ["an unknown event type", { events: ["customer.*", "customer.exploded"] }, "input.events.1", /matches no event type/],
    ["a wildcard matching nothing", { events: ["nothing.*"] }, "input.events.0", /matches no event type/],
    ["a broken rule", { rule: "customer.(" }, "input.rule", /not a valid JSONata expression: .*\(at character \d+\)/],
    ["a broken mapping", { mapping: '{"a": }' }, "input.mapping", /not a valid JSONata expression/],
    ["a broken pre-event logic", { preEvent: "$$$(" }, "input.preEvent", /not a valid JSONata expression/],
    ["a broken post-event logic", { postEvent: "]" }, "input.postEvent", /not a valid JSONata expression/],
    ["a reserved header", { headers: { "Content-Type": "text/plain" } }, "input.headers.Content-Type", /cannot be overridden/],
    ["a webhook-* header", { headers: { "Webhook-Id": "x" } }, "input.headers.Webhook-Id", /cannot be overridden/],
    ["a header value that is not a string", { headers: { "X-Count": 3 } }, "input.headers.X-Count", /a header value is at most/],
    ["a header value node:http cannot send", { headers: { "X-Key": "…" } }, "input.headers.X-Key", /visible ASCII/],
    ["a header value on two lines", { headers: { "X-A": "a\r\nHost: evil" } }, "input.headers.X-A", /on one line/],
    [
      "too many headers",
      { headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, "v"])) },
      "input.headers",
      /at most 20/,
    ],
    ["a retry interval under the minimum", { retryIntervalMs: 999 }, "input.retryIntervalMs", /at least 1000 ms/],
    ["a retry interval over a day", { retryIntervalMs: 86_400_001 }, "input.retryIntervalMs", /at most one day/],
    ["no attempts", { maxAttempts: 0 }, "input.maxAttempts", /at least 1/],
    ["21 attempts", { maxAttempts: 21 }, "input.maxAttempts", /at most 20/],
    ["a 50 ms timeout", { timeoutMs: 50 }, "input.timeoutMs", /at least 100 ms/],
    ["a 31 s timeout", { timeoutMs: 31_000 }, "input.timeoutMs", /at most 30000 ms/],
    ["no failures allowed", { disableAfterFailures: 0 }, "input.disableAfterFailures", /at least 1/],
    ["an INFLOW field on an OUTFLOW connector", { matchBy: "email" }, "input.matchBy", /only for INFLOW connectors/],
    ["an OUTFLOW field on an INFLOW connector", { direction: "INFLOW", mapping: "$", events: null }, "input.url", /only for OUTFLOW/],
  ];

  it.each(cases)("refuses %s with an error on that field and writes nothing", async (_what, change, field, message) => {
    const res = await expectNoWrites(gw.db, () => gw.gql(CreateConnectorDocument, { input: { ...OUTFLOW, name: "invalid", ...change } }));
    const payload = res.data!.createConnector;
    expect(payload.__typename).toBe("ValidationError");
    if (payload.__typename !== "ValidationError") return;
    expect(payload.issues).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  it("refuses a name the tenant already uses with CONNECTOR_NAME_TAKEN, and lets tenant B use it", async () => {
    await create({ ...OUTFLOW, name: "taken" });
    const res = await expectNoWrites(gw.db, () => gw.gql(CreateConnectorDocument, { input: { ...OUTFLOW, name: "taken" } }));
    expect(res.data!.createConnector).toMatchObject({ __typename: "ConflictError", code: "CONNECTOR_NAME_TAKEN", field: "name" });
    const other = (await gw.gql(CreateConnectorDocument, { input: { ...OUTFLOW, name: "taken" } }, "B")).data!.createConnector;
    expect(other.__typename).toBe("CreateConnectorPayload");
  });

  it("matches INFLOW records by a custom field only if the tenant defines it", async () => {
    await gw.gql(DefineCustomFieldDocument, { input: { key: "crmId", type: "STRING" } });
    const unknown = { direction: "INFLOW" as const, name: "by-field", mapping: "$", matchBy: "shopId" };
    const res = await expectNoWrites(gw.db, () => gw.gql(CreateConnectorDocument, { input: unknown }));
    expect(res.data!.createConnector).toMatchObject({
      issues: [{ field: "input.matchBy", message: "no active custom field has this key" }],
    });
    const { connector } = await create({ ...unknown, matchBy: "crmId" });
    expect(connector.matchBy).toBe("crmId");
  });
});

describe("changing connectors", () => {
  it("records connector.updated with the changes, header names instead of values, and nothing for no change", async () => {
    const { connector } = await create({ ...OUTFLOW, name: "to-update", headers: { "X-Key": "one" } });
    const input = { events: ["customer.created", "session.*"], maxAttempts: 3, headers: { "X-Key": "two" }, rule: "true" };
    const res = await gw.gql(UpdateConnectorDocument, { id: connector.id, input });
    expect(res.data!.updateConnector).toMatchObject({
      connector: { events: ["customer.created", "session.*"], maxAttempts: 3, rule: "true" },
    });
    const row = await gw.db.connector.findUniqueOrThrow({ where: { id: rowId(connector.id) } });
    expect(row.eventLike).toEqual(["customer.created", "session.%"]);
    expect(row.headers).toEqual({ "X-Key": "two" });
    const [event] = await eventsOf("connector.updated");
    expect(event.data).toEqual({
      connectorId: row.id,
      name: "to-update",
      changes: {
        events: { from: ["customer.*"], to: ["customer.created", "session.*"] },
        maxAttempts: { from: 5, to: 3 },
        rule: { from: null, to: "true" },
        headers: { from: ["X-Key"], to: ["X-Key"] },
      },
    });
    await expectNoWrites(gw.db, () => gw.gql(UpdateConnectorDocument, { id: connector.id, input }));
  });

  it("clears an expression and restores a default with null, escapes _ in event_like, and refuses a bad patch writing nothing", async () => {
    const { connector } = await create({ ...OUTFLOW, name: "to-clear", rule: "true", maxAttempts: 2, events: ["customer.password_set"] });
    expect((await gw.db.connector.findUniqueOrThrow({ where: { id: rowId(connector.id) } })).eventLike).toEqual([
      "customer.password\\_set",
    ]);
    const cleared = (await gw.gql(UpdateConnectorDocument, { id: connector.id, input: { rule: null, maxAttempts: null } })).data!
      .updateConnector;
    expect(cleared).toMatchObject({ connector: { rule: null, maxAttempts: 5 } });
    const bad = await expectNoWrites(gw.db, () =>
      gw.gql(UpdateConnectorDocument, { id: connector.id, input: { url: "ftp://x", matchBy: "uid" } }),
    );
    expect(bad.data!.updateConnector).toMatchObject({
      __typename: "ValidationError",
      issues: expect.arrayContaining([
        { field: "input.matchBy", message: "only for INFLOW connectors" },
        { field: "input.url", message: "must be an http or https URL" },
      ]),
    });
  });

  it("deactivates and activates with their own events; activation resets the failure count and reason", async () => {
    const { connector } = await create({ ...OUTFLOW, name: "toggled" });
    const off = (await gw.gql(DeactivateConnectorDocument, { id: connector.id })).data!.deactivateConnector;
    expect(off).toMatchObject({ connector: { active: false } });
    await expectNoWrites(gw.db, () => gw.gql(DeactivateConnectorDocument, { id: connector.id }));
    // What the worker leaves after deactivating it automatically.
    await gw.db.connector.update({
      where: { id: rowId(connector.id) },
      data: { consecutiveFailures: 7, deactivatedReason: "7 failed attempts in a row" },
    });
    const on = (await gw.gql(ActivateConnectorDocument, { id: connector.id })).data!.activateConnector;
    expect(on).toMatchObject({ connector: { active: true, consecutiveFailures: 0, deactivatedReason: null } });
    await expectNoWrites(gw.db, () => gw.gql(ActivateConnectorDocument, { id: connector.id }));
    const mine = async (type: string) =>
      (await eventsOf(type)).filter((e) => (e.data as { connectorId: string }).connectorId === rowId(connector.id));
    expect(await mine("connector.deactivated")).toHaveLength(1);
    const [activated] = await mine("connector.activated");
    expect(activated.data).toMatchObject({
      changes: {
        active: { from: false, to: true },
        consecutiveFailures: { from: 7, to: 0 },
        deactivatedReason: { from: "7 failed attempts in a row", to: null },
      },
    });
    expect(await mine("connector.updated")).toEqual([]);
  });

  it("rotates the secret: the new one shown once, the previous one live until the overlap ends", async () => {
    const { connector, secret: first } = await create({ ...OUTFLOW, name: "rotated" });
    const before = Date.now();
    const res = (await gw.gql(RotateConnectorSecretDocument, { id: connector.id, overlapSeconds: 3600 })).data!.rotateConnectorSecret;
    if (res.__typename !== "RotateConnectorSecretPayload") throw new Error(JSON.stringify(res));
    const { secret: second, connector: rotated } = res.issued;
    expect(second).not.toBe(first);
    expect(rotated.secretPreview).toBe(`whsec_…${second.slice(-4)}`);
    const expires = Date.parse(rotated.previousSecretExpiresAt!);
    expect(expires).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000);
    const row = await gw.db.connector.findUniqueOrThrow({ where: { id: rowId(connector.id) } });
    expect(liveSecrets(masterKey(), row)).toEqual([second, first]);
    expect(liveSecrets(masterKey(), row, new Date(expires + 1))).toEqual([second]);
    const [event] = (await eventsOf("connector.secret_rotated")).filter((e) => (e.data as { connectorId: string }).connectorId === row.id);
    expect(event.data).toEqual({ connectorId: row.id, name: "rotated", previousSecretExpiresAt: rotated.previousSecretExpiresAt });

    const now = (await gw.gql(RotateConnectorSecretDocument, { id: connector.id, overlapSeconds: 0 })).data!.rotateConnectorSecret;
    expect(now).toMatchObject({ issued: { connector: { previousSecretExpiresAt: null } } });
    const tooLong = await expectNoWrites(gw.db, () =>
      gw.gql(RotateConnectorSecretDocument, { id: connector.id, overlapSeconds: 8 * 86400 }),
    );
    expect(tooLong.data!.rotateConnectorSecret).toMatchObject({ __typename: "ValidationError", issues: [{ field: "overlapSeconds" }] });
  });

  it("rotates with a 24 h overlap by default", async () => {
    const { connector } = await create({ ...OUTFLOW, name: "rotated-default" });
    const res = (await gw.gql(RotateConnectorSecretDocument, { id: connector.id })).data!.rotateConnectorSecret;
    expect(res.__typename).toBe("RotateConnectorSecretPayload");
    if (res.__typename !== "RotateConnectorSecretPayload") return;
    expect(Date.parse(res.issued.connector.previousSecretExpiresAt!) - Date.now()).toBeGreaterThan(86_400_000 - 60_000);
  });

  it("deletes a connector with its deliveries and records connector.deleted", async () => {
    const { connector } = await create({ ...OUTFLOW, name: "deleted" });
    await gw.createCustomer({ emails: [{ address: "deleted-connector@a.example" }] });
    expect(await gw.db.connectorDelivery.count({ where: { connectorId: rowId(connector.id) } })).toBeGreaterThan(0);
    const res = (await gw.gql(DeleteConnectorDocument, { id: connector.id })).data!.deleteConnector;
    expect(res).toEqual({ __typename: "DeleteConnectorPayload", deletedConnectorId: connector.id });
    expect(await gw.db.connectorDelivery.count({ where: { connectorId: rowId(connector.id) } })).toBe(0);
    expect((await gw.gql(ConnectorDocument, { id: connector.id })).data!.connector).toBeNull();
    expect((await eventsOf("connector.deleted")).map((e) => (e.data as { name: string }).name)).toContain("deleted");
    const again = await expectNoWrites(gw.db, () => gw.gql(DeleteConnectorDocument, { id: connector.id }));
    expect(again.data!.deleteConnector).toMatchObject({ code: "CONNECTOR_NOT_FOUND" });
  });
});
