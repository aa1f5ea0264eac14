import { beforeAll, describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import {
  CreateCustomObjectDocument,
  CustomerDocument,
  CustomerCustomObjectsDocument,
  CustomerWithEverythingDocument,
  CustomObjectDocument,
  CustomObjectNodeDocument,
  CustomObjectsDocument,
  DeleteCustomerDocument,
  DeleteCustomObjectDocument,
  UpdateCustomObjectDocument,
} from "./generated/graphql.ts";
import { globalId, rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";

const gw = useTestGateway();

let emails = 0;
async function customer(as: "A" | "B" = "A") {
  const input = {
    emails: [{ address: `co-${++emails}@example.com` }],
    identities: [{ provider: "password", providerUserId: `co-${emails}` }],
  };
  return (await gw.createCustomer(input, as)).id;
}

async function object(customerId: string, name: string, data: Record<string, unknown>, as: "A" | "B" = "A") {
  const payload = (await gw.gql(CreateCustomObjectDocument, { customerId, name, data }, as)).data!.createCustomObject;
  if (payload.__typename !== "CreateCustomObjectPayload") throw new Error(`create failed: ${JSON.stringify(payload)}`);
  return payload.customObject;
}

const lastEvent = async () => (await auditTrail(gw.db, gw.tenants.A.id)).at(-1)!;

/** The tenant's objects as the connections order them (newest first), straight from the table. */
async function rowsNewestFirst(where: { name?: string; customerId?: string }) {
  const rows = await gw.db.customObject.findMany({
    where: { tenantId: gw.tenants.A.id, ...where },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return rows.map((r) => ({ id: globalId("CustomObject", r.id), data: r.data as Record<string, unknown> }));
}

const newestFirst = async (where: { name?: string; customerId?: string }) => (await rowsNewestFirst(where)).map((r) => r.id);

describe("createCustomObject", () => {
  it("attaches JSON to a customer under a name and records custom_object.created", async () => {
    const c = await customer();
    const created = await object(c, "wishlist", { items: [{ sku: "A-1", qty: 2 }], public: false });
    expect(created).toMatchObject({ name: "wishlist", data: { items: [{ sku: "A-1", qty: 2 }], public: false }, customer: { id: c } });
    expect(created.createdAt).toBe(created.updatedAt);
    const event = await lastEvent();
    expect(event).toMatchObject({ type: "custom_object.created", customerId: rowId(c), actorKind: "ADMIN" });
    expect(event.data).toEqual({ objectId: rowId(created.id), name: "wishlist" });
  });

  it("keeps any number of objects of one name per customer", async () => {
    const c = await customer();
    await object(c, "purchases", { order: 1 });
    await object(c, "purchases", { order: 2 });
    expect(await gw.db.customObject.count({ where: { customerId: rowId(c), name: "purchases" } })).toBe(2);
  });

  it("rejects a malformed name and data over 64 KiB with VALIDATION_FAILED naming the field, and writes nothing", async () => {
    const c = await customer();
    const cases = [
      ["1starts-with-digit", { a: 1 }, "name"],
      ["has space", { a: 1 }, "name"],
      ["x".repeat(65), { a: 1 }, "name"],
      ["big", { blob: "x".repeat(65_536) }, "data"],
    ] as const;
    for (const [name, data, field] of cases) {
      const res = await expectNoWrites(gw.db, () => gw.gql(CreateCustomObjectDocument, { customerId: c, name, data }));
      expect(res.data!.createCustomObject).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED", issues: [{ field }] });
    }
  });

  it("answers CUSTOMER_NOT_FOUND for a deleted, malformed or wrongly typed customer id, and writes nothing", async () => {
    const c = await customer();
    await gw.gql(DeleteCustomerDocument, { id: c });
    for (const customerId of [c, "garbage", globalId("CustomObject", rowId(c))]) {
      const res = await expectNoWrites(gw.db, () => gw.gql(CreateCustomObjectDocument, { customerId, name: "wishlist", data: {} }));
      expect(res.data!.createCustomObject).toMatchObject({ __typename: "NotFoundError", code: "CUSTOMER_NOT_FOUND" });
    }
  });
});

describe("updateCustomObject", () => {
  it("replaces the data by default and records the change as changes.data {from, to}", async () => {
    const c = await customer();
    const o = await object(c, "profile", { color: "red", size: "M" });
    const res = await gw.gql(UpdateCustomObjectDocument, { id: o.id, data: { color: "blue" } });
    expect(res.data!.updateCustomObject).toMatchObject({ customObject: { id: o.id, data: { color: "blue" } } });
    const event = await lastEvent();
    expect(event).toMatchObject({ type: "custom_object.updated", customerId: rowId(c) });
    expect(event.data).toEqual({
      objectId: rowId(o.id),
      name: "profile",
      changes: { data: { from: { color: "red", size: "M" }, to: { color: "blue" } } },
    });
  });

  it("merges top-level keys with merge: true, replacing nested values whole", async () => {
    const c = await customer();
    const o = await object(c, "prefs", { theme: "dark", layout: { cols: 2, dense: true } });
    const res = await gw.gql(UpdateCustomObjectDocument, { id: o.id, data: { layout: { cols: 3 }, lang: "de" }, merge: true });
    expect(res.data!.updateCustomObject).toMatchObject({
      customObject: { data: { theme: "dark", layout: { cols: 3 }, lang: "de" } },
    });
    expect((await lastEvent()).data).toMatchObject({
      changes: {
        data: { from: { theme: "dark", layout: { cols: 2, dense: true } }, to: { theme: "dark", layout: { cols: 3 }, lang: "de" } },
      },
    });
  });

  it("records nothing when the data does not change, whatever the key order", async () => {
    const c = await customer();
    const o = await object(c, "same", { zeta: 1, alpha: { y: 2, b: 3 } });
    const replaced = await expectNoWrites(gw.db, () =>
      gw.gql(UpdateCustomObjectDocument, { id: o.id, data: { alpha: { b: 3, y: 2 }, zeta: 1 } }),
    );
    expect(replaced.data!.updateCustomObject).toMatchObject({
      __typename: "UpdateCustomObjectPayload",
      customObject: { updatedAt: o.updatedAt },
    });
    await expectNoWrites(gw.db, () => gw.gql(UpdateCustomObjectDocument, { id: o.id, data: { zeta: 1 }, merge: true }));
  });

  it("rejects data that grows over 64 KiB by merging with VALIDATION_FAILED, and writes nothing", async () => {
    const c = await customer();
    const o = await object(c, "growing", { a: "x".repeat(40_000) });
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(UpdateCustomObjectDocument, { id: o.id, data: { b: "x".repeat(40_000) }, merge: true }),
    );
    expect(res.data!.updateCustomObject).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "data" }] });
  });

  it("answers CUSTOM_OBJECT_NOT_FOUND for a deleted, malformed or wrongly typed id, and writes nothing", async () => {
    const c = await customer();
    const o = await object(c, "doomed", { a: 1 });
    await gw.gql(DeleteCustomObjectDocument, { id: o.id });
    for (const id of [o.id, "garbage", globalId("CustomObject", "not-a-uuid"), c]) {
      const res = await expectNoWrites(gw.db, () => gw.gql(UpdateCustomObjectDocument, { id, data: { a: 2 } }));
      expect(res.data!.updateCustomObject).toMatchObject({ __typename: "NotFoundError", code: "CUSTOM_OBJECT_NOT_FOUND" });
    }
  });
});

describe("deleteCustomObject", () => {
  it("deletes the object, answers its id and records custom_object.deleted", async () => {
    const c = await customer();
    const o = await object(c, "cart", { items: [] });
    const res = await gw.gql(DeleteCustomObjectDocument, { id: o.id });
    expect(res.data!.deleteCustomObject).toEqual({ __typename: "DeleteCustomObjectPayload", deletedCustomObjectId: o.id });
    expect((await gw.gql(CustomObjectDocument, { id: o.id })).data!.customObject).toBeNull();
    const event = await lastEvent();
    expect(event).toMatchObject({ type: "custom_object.deleted", customerId: rowId(c) });
    expect(event.data).toEqual({ objectId: rowId(o.id), name: "cart" });
  });

  it("answers CUSTOM_OBJECT_NOT_FOUND for an unknown or malformed id, and writes nothing", async () => {
    for (const id of [globalId("CustomObject", "00000000-0000-4000-8000-000000000000"), "garbage"]) {
      const res = await expectNoWrites(gw.db, () => gw.gql(DeleteCustomObjectDocument, { id }));
      expect(res.data!.deleteCustomObject).toMatchObject({ __typename: "NotFoundError", code: "CUSTOM_OBJECT_NOT_FOUND" });
    }
  });
});

describe("reading custom objects", () => {
  it("reads one object by id and refetches it as a node", async () => {
    const c = await customer();
    const o = await object(c, "note", { text: "hi" });
    expect((await gw.gql(CustomObjectDocument, { id: o.id })).data!.customObject).toMatchObject({
      id: o.id,
      data: { text: "hi" },
      customer: { id: c },
    });
    expect((await gw.gql(CustomObjectNodeDocument, { id: o.id })).data!.node).toEqual({
      __typename: "CustomObject",
      id: o.id,
      name: "note",
    });
    expect((await gw.gql(CustomObjectDocument, { id: "garbage" })).data!.customObject).toBeNull();
  });

  it("pages through a customer's objects newest first, optionally of one name", async () => {
    const c = await customer();
    for (let i = 0; i < 3; i++) await object(c, "visit", { i });
    await object(c, "wishlist", { i: 99 });
    const expected = await newestFirst({ customerId: rowId(c), name: "visit" });
    const seen: string[] = [];
    let after: string | null | undefined;
    for (let page = 0; page < 2; page++) {
      const conn = (await gw.gql(CustomerCustomObjectsDocument, { id: c, name: "visit", first: 2, after })).data!.customer!.customObjects;
      expect(conn.edges.every((e) => e.node.name === "visit")).toBe(true);
      seen.push(...conn.edges.map((e) => e.node.id));
      expect(conn.pageInfo.hasNextPage).toBe(page === 0);
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    const all = (await gw.gql(CustomerCustomObjectsDocument, { id: c })).data!.customer!.customObjects.edges;
    expect(all.map((e) => e.node.id)).toEqual(await newestFirst({ customerId: rowId(c) }));
  });

  it("loads a customer's identities and objects in the customer's own query, adding no SQL statement", async () => {
    const c = await customer();
    await object(c, "a", { n: 1 });
    await object(c, "b", { n: 2 });
    gw.statements.reset();
    await gw.gql(CustomerDocument, { id: c });
    const plainCustomer = gw.statements.count;
    gw.statements.reset();
    const res = await gw.gql(CustomerWithEverythingDocument, { id: c });
    expect(gw.statements.count).toBe(plainCustomer);
    expect(res.data!.customer!.identities.edges.map((e) => e.node.provider)).toEqual(["password"]);
    const objects = res.data!.customer!.customObjects.edges.map((e) => e.node);
    expect(objects.map((o) => o.id)).toEqual(await newestFirst({ customerId: rowId(c) }));
    expect(objects.map((o) => o.data.n).sort()).toEqual([1, 2]);
  });
});

describe("customObjects across the tenant", () => {
  let orders: string[];
  let totalsOf: (status?: string) => unknown[];
  beforeAll(async () => {
    const [c1, c2] = [await customer(), await customer()];
    await object(c1, "order", { status: "paid", total: 10, tags: ["gift", "eu"] });
    await object(c2, "order", { status: "open", total: 20, tags: ["eu"] });
    await object(c1, "order", { status: "paid", total: 30, shipping: { country: "DE", express: true } });
    await object(c2, "order", { status: "paid", total: 40, shipping: { country: "FR" } });
    await object(c2, "not-an-order", { status: "paid" });
    const rows = await rowsNewestFirst({ name: "order" });
    orders = rows.map((r) => r.id);
    totalsOf = (status) => rows.filter((r) => !status || r.data.status === status).map((r) => r.data.total);
  });

  it("lists every object of a name newest first, across customers, in forward and backward pages", async () => {
    const first = (await gw.gql(CustomObjectsDocument, { name: "order", first: 3 })).data!.customObjects;
    expect(first.edges.map((e) => e.node.id)).toEqual(orders.slice(0, 3));
    expect(first.pageInfo).toMatchObject({ hasNextPage: true });
    const rest = (await gw.gql(CustomObjectsDocument, { name: "order", first: 3, after: first.pageInfo.endCursor })).data!.customObjects;
    expect(rest.edges.map((e) => e.node.id)).toEqual(orders.slice(3));
    expect(rest.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const back = (await gw.gql(CustomObjectsDocument, { name: "order", last: 2, before: rest.pageInfo.startCursor })).data!.customObjects;
    expect(back.edges.map((e) => e.node.id)).toEqual(orders.slice(1, 3));
  });

  it("filters by jsonb containment: nested objects and array elements match by inclusion", async () => {
    const ids = async (filter: Record<string, unknown>) =>
      (await gw.gql(CustomObjectsDocument, { name: "order", filter })).data!.customObjects.edges.map((e) => e.node.data);
    expect((await ids({})).map((d) => d.total)).toEqual(totalsOf());
    expect((await ids({ status: "paid" })).map((d) => d.total)).toEqual(totalsOf("paid"));
    expect(totalsOf("paid").sort()).toEqual([10, 30, 40]);
    expect((await ids({ shipping: { country: "DE" } })).map((d) => d.total)).toEqual([30]);
    expect((await ids({ tags: ["gift"] })).map((d) => d.total)).toEqual([10]);
    expect(await ids({ status: "refunded" })).toEqual([]);
  });

  it("pages a filtered list forward and backward with the same cursors", async () => {
    const paid = (await rowsNewestFirst({ name: "order" })).filter((r) => r.data.status === "paid").map((r) => r.id);
    const page1 = (await gw.gql(CustomObjectsDocument, { name: "order", filter: { status: "paid" }, first: 2 })).data!.customObjects;
    expect(page1.edges.map((e) => e.node.id)).toEqual(paid.slice(0, 2));
    expect(page1.edges.every((e) => e.node.customer.id)).toBe(true);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (
      await gw.gql(CustomObjectsDocument, { name: "order", filter: { status: "paid" }, first: 2, after: page1.pageInfo.endCursor })
    ).data!.customObjects;
    expect(page2.edges.map((e) => e.node.id)).toEqual(paid.slice(2));
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const back = (
      await gw.gql(CustomObjectsDocument, { name: "order", filter: { status: "paid" }, last: 5, before: page2.pageInfo.endCursor })
    ).data!.customObjects;
    expect(back.edges.map((e) => e.node.id)).toEqual(paid.slice(0, -1));
    expect(back.pageInfo.hasPreviousPage).toBe(false);
  });

  it("never lists another tenant's objects", async () => {
    const b = await customer("B");
    await object(b, "order", { status: "paid", total: 99 }, "B");
    const fromB = (await gw.gql(CustomObjectsDocument, { name: "order" }, "B")).data!.customObjects.edges.map((e) => e.node.data.total);
    expect(fromB).toEqual([99]);
    const filtered = (await gw.gql(CustomObjectsDocument, { name: "order", filter: { status: "paid" } }, "B")).data!.customObjects.edges;
    expect(filtered).toHaveLength(1);
  });
});

describe("customer deletion", () => {
  it("deletes the customer's custom objects with it, while their audit events survive", async () => {
    const c = await customer();
    const o = await object(c, "history", { a: 1 });
    await gw.gql(DeleteCustomerDocument, { id: c });
    expect(await gw.db.customObject.count({ where: { customerId: rowId(c) } })).toBe(0);
    expect((await gw.gql(CustomObjectDocument, { id: o.id })).data!.customObject).toBeNull();
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.customerId === rowId(c)).map((e) => e.type);
    expect(events).toEqual(["customer.created", "custom_object.created", "customer.deleted"]);
  });
});

describe("tenant isolation", () => {
  it("answers tenant B's credential with not found for tenant A's ids, and writes nothing", async () => {
    const c = await customer();
    const o = await object(c, "secret", { pin: 1234 });
    const created = await expectNoWrites(gw.db, () => gw.gql(CreateCustomObjectDocument, { customerId: c, name: "x", data: {} }, "B"));
    expect(created.data!.createCustomObject).toMatchObject({ code: "CUSTOMER_NOT_FOUND" });
    const updated = await expectNoWrites(gw.db, () => gw.gql(UpdateCustomObjectDocument, { id: o.id, data: { pin: 0 } }, "B"));
    expect(updated.data!.updateCustomObject).toMatchObject({ code: "CUSTOM_OBJECT_NOT_FOUND" });
    const deleted = await expectNoWrites(gw.db, () => gw.gql(DeleteCustomObjectDocument, { id: o.id }, "B"));
    expect(deleted.data!.deleteCustomObject).toMatchObject({ code: "CUSTOM_OBJECT_NOT_FOUND" });
    expect((await gw.gql(CustomObjectDocument, { id: o.id }, "B")).data!.customObject).toBeNull();
    const node = await gw.gql(CustomObjectNodeDocument, { id: o.id }, "B");
    expect(node.errors).toBeUndefined();
    expect(node.data!.node).toBeNull();
    expect((await gw.gql(CustomObjectsDocument, { name: "secret", filter: { pin: 1234 } }, "B")).data!.customObjects.edges).toEqual([]);
  });

  it("needs admin credentials: anonymous requests get 401 and no data", async () => {
    const res = await gw.gql(CustomObjectsDocument, { name: "order" }, "anonymous");
    expect(res.status).toBe(401);
    expect(res.data?.customObjects ?? null).toBeNull();
  });
});
