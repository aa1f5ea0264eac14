import { describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import { formatEvent, tailAuditEvents, TailFailure } from "../src/cli/audit-tail.ts";
import { CreateCustomerDocument, LatestAuditCursorDocument, UpdateCustomerDocument } from "./generated/graphql.ts";

const gw = useTestGateway({ listen: true });

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
};

describe("npm run cli -- audit tail", () => {
  it("prints readable lines for the live stream from a cursor, filtered by type", async () => {
    const after = (await gw.gql(LatestAuditCursorDocument, {})).data!.auditEvents.edges[0].cursor;
    const lines: string[] = [];
    const abort = new AbortController();
    const tail = tailAuditEvents(
      {
        url: gw.url,
        keyId: gw.tenants.A.keyId,
        secret: gw.tenants.A.secret,
        after,
        types: ["customer.updated"],
        json: false,
        print: (l) => lines.push(l),
      },
      abort.signal,
    );
    const created = await gw.createCustomer({ emails: [{ address: "tail@example.com" }], firstName: "Ann" });
    await gw.gql(UpdateCustomerDocument, { id: created.id, input: { firstName: "Anne" } });
    await until(() => lines.length === 1);
    expect(lines[0]).toMatch(
      new RegExp(`^#${Number(after) + 2} \\S+ customer\\.updated by ADMIN:\\S+ customer=\\S+ firstName "Ann" → "Anne"$`),
    );
    abort.abort();
    await tail;
  });

  it("prints NDJSON with --json, one event object per line", async () => {
    const after = (await gw.gql(LatestAuditCursorDocument, {})).data!.auditEvents.edges[0].cursor;
    const lines: string[] = [];
    const abort = new AbortController();
    const tail = tailAuditEvents(
      { url: gw.url, keyId: gw.tenants.A.keyId, secret: gw.tenants.A.secret, after, json: true, print: (l) => lines.push(l) },
      abort.signal,
    );
    await gw.gql(CreateCustomerDocument, { input: { emails: [{ address: "tail-json@example.com" }] } });
    await until(() => lines.length === 1);
    expect(JSON.parse(lines[0])).toMatchObject({
      sequence: Number(after) + 1,
      type: "customer.created",
      data: { emails: ["tail-json@example.com"] },
    });
    abort.abort();
    await tail;
  });

  it("gives up at once with a clear message when the credential is refused (4403) or the gateway cannot be reached", async () => {
    const tail = (url: string, secret: string) =>
      tailAuditEvents({ url, keyId: gw.tenants.A.keyId, secret, json: false, print: () => undefined }, new AbortController().signal);
    await expect(tail(gw.url, "sk_wrong")).rejects.toThrow(
      new TailFailure("The gateway refused the credential (check GATEWAY_API_KEY / GATEWAY_API_SECRET)."),
    );
    await expect(tail("http://127.0.0.1:1/graphql", gw.tenants.A.secret)).rejects.toThrow(
      new TailFailure("Cannot reach the gateway at ws://127.0.0.1:1/graphql (set GATEWAY_URL to its http(s)://…/graphql address)."),
    );
  });

  it("formats events without a diff as their data", () => {
    const line = formatEvent({
      cursor: "7",
      sequence: 7,
      type: "consent.revoked",
      occurredAt: "2026-01-01T00:00:00.000Z",
      customerId: null,
      ip: null,
      requestId: null,
      actor: { kind: "SYSTEM", id: null },
      data: { purpose: "marketing" },
    });
    expect(line).toBe('#7 2026-01-01T00:00:00.000Z consent.revoked by SYSTEM {"purpose":"marketing"}');
  });
});
