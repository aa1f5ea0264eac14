import { beforeAll, describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import { AuditEventsDocument, AuditEventsLastDocument, DeleteCustomerDocument, UpdateCustomerDocument } from "./generated/graphql.ts";

const gw = useTestGateway();
let customerId: string;
beforeAll(async () => {
  customerId = (await gw.createCustomer({ uid: "audited", emails: [{ address: "audited@example.com" }] })).id;
  await gw.gql(UpdateCustomerDocument, { id: customerId, input: { firstName: "Audit" } });
});

describe("auditEvents", () => {
  it("lists the tenant's events newest first with actor, request metadata and a gap-free sequence", async () => {
    const res = await gw.gql(AuditEventsDocument, { first: 10 });
    const nodes = res.data!.auditEvents.edges.map((e) => e.node);
    expect(nodes.map((n) => n.type)).toEqual(["customer.updated", "customer.created", "credential.created", "tenant.created"]);
    expect(nodes.map((n) => n.sequence)).toEqual([4, 3, 2, 1]);
    expect(nodes[0]).toMatchObject({
      actor: { kind: "ADMIN" },
      customerId,
      customer: { id: customerId, uid: "audited" },
      userAgent: "vitest",
      data: { changes: { firstName: { from: null, to: "Audit" } } },
    });
    expect(nodes[0].requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(nodes[3].actor).toEqual({ kind: "SYSTEM", id: null });
  });

  it("pages forward in either direction with sequence cursors", async () => {
    const first = await gw.gql(AuditEventsDocument, { first: 2, direction: "ASC" });
    expect(first.data!.auditEvents.edges.map((e) => e.node.sequence)).toEqual([1, 2]);
    expect(first.data!.auditEvents.pageInfo).toEqual({ hasNextPage: true, endCursor: "2" });
    const next = await gw.gql(AuditEventsDocument, { first: 10, after: "2", direction: "ASC" });
    expect(next.data!.auditEvents.edges.map((e) => e.node.sequence)).toEqual([3, 4]);
    expect(next.data!.auditEvents.pageInfo.hasNextPage).toBe(false);
  });

  it("filters by type (with prefix wildcards), customer and actor kind", async () => {
    const byType = await gw.gql(AuditEventsDocument, { filter: { types: ["customer.*"] } });
    expect(byType.data!.auditEvents.edges.map((e) => e.node.type)).toEqual(["customer.updated", "customer.created"]);
    const byCustomer = await gw.gql(AuditEventsDocument, { filter: { customerId } });
    expect(byCustomer.data!.auditEvents.edges).toHaveLength(2);
    const bySystem = await gw.gql(AuditEventsDocument, { filter: { actorKind: "SYSTEM" } });
    expect(bySystem.data!.auditEvents.edges.map((e) => e.node.type)).toEqual(["credential.created", "tenant.created"]);
  });

  it("keeps a deleted customer's events, with the customer link gone", async () => {
    await gw.gql(DeleteCustomerDocument, { id: customerId });
    const res = await gw.gql(AuditEventsDocument, { filter: { customerId } });
    expect(res.data!.auditEvents.edges.map((e) => e.node.type)).toEqual(["customer.deleted", "customer.updated", "customer.created"]);
    expect(res.data!.auditEvents.edges.every((e) => e.node.customer === null && e.node.customerId === customerId)).toBe(true);
  });

  it("never shows another tenant's events", async () => {
    const res = await gw.gql(AuditEventsDocument, { first: 50 }, "B");
    expect(res.data!.auditEvents.edges.map((e) => e.node.type)).toEqual(["credential.created", "tenant.created"]);
  });

  it("rejects a malformed cursor and backward paging with VALIDATION_FAILED", async () => {
    const bad = await gw.gql(AuditEventsDocument, { after: "abc" });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "after" }] });
    const backward = await gw.gql(AuditEventsLastDocument, { last: 2 });
    expect(backward.errors?.[0].extensions).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "last" }] });
  });
});
