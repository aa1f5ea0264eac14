import { beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../src/generated/prisma/client.ts";
import { addContact, removeContact, setPrimaryContact } from "../src/customers/contacts.ts";
import { customerCountSql, customerSearchSql } from "../src/customers/search.ts";
import {
  FilterCustomersDocument,
  type CustomerFilter,
  type CustomerOrder,
  type FilterCustomersQuery,
  type FilterCustomersQueryVariables,
} from "./generated/graphql.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { PEOPLE, seedFilterFixture, type Person } from "./helpers/filter-fixture.ts";

// Sorting customers with keyset cursors: every sort key, both directions, paged two at a time
// across the null boundary; cursors belong to their sort; the exported SQL is what runs.

const gw = useTestGateway();
let ids: Map<string, string>;
beforeAll(async () => {
  // The partial index of a searchable field, as the custom-fields domain builds it per tenant.
  // Built before the rows exist: built over recently updated rows, PostgreSQL may keep an index
  // unusable for a while (indcheckxmin) when other transactions run, as in the full suite.
  await gw.db.$executeRawUnsafe(
    `CREATE INDEX filter_test_score_idx ON customer ((custom_fields -> 'score'), id) WHERE tenant_id = '${gw.tenants.A.id}'`,
  );
  ids = await seedFilterFixture(gw);
});

/** Every uid in the order `orderBy` lists them, read `first` at a time through the cursors. */
async function pageThrough(orderBy: CustomerOrder, first = 2, filter?: CustomerFilter): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null | undefined = null;
  for (let pages = 0; pages < 20; pages++) {
    const res: Awaited<ReturnType<typeof gw.gql<FilterCustomersQuery, FilterCustomersQueryVariables>>> = await gw.gql(
      FilterCustomersDocument,
      { orderBy, first, after, filter },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    const conn = res.data!.customers;
    seen.push(...conn.edges.map((e) => e.node.uid));
    if (!conn.pageInfo.hasNextPage) return seen;
    after = conn.pageInfo.endCursor!;
  }
  throw new Error("did not end");
}

/** PostgreSQL's order: by value ascending with nulls last, ties by id; descending is its exact reverse. */
function expected(value: (p: Person) => string | number | null, direction: "ASC" | "DESC"): string[] {
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  const asc = [...PEOPLE].sort((a, b) => {
    const [va, vb] = [value(a), value(b)];
    if (va === null || vb === null) return va === vb ? cmp(ids.get(a.uid)!, ids.get(b.uid)!) : va === null ? 1 : -1;
    return cmp(va, vb) || cmp(ids.get(a.uid)!, ids.get(b.uid)!);
  });
  return (direction === "ASC" ? asc : asc.reverse()).map((p) => p.uid);
}

const SORTS: [CustomerOrder, (p: Person) => string | number | null][] = [
  [{ field: "CREATED_AT" }, (p) => p.createdAt],
  [{ field: "LAST_LOGIN_AT" }, (p) => p.lastLoginAt],
  [{ field: "LAST_NAME" }, (p) => p.lastName],
  [{ field: "PRIMARY_EMAIL" }, (p) => p.email],
  [{ field: "CUSTOM_FIELD", customField: "score" }, (p) => p.score],
];

describe("every sort, both directions, paged across the null boundary", () => {
  for (const [order, value] of SORTS) {
    for (const direction of ["ASC", "DESC"] as const) {
      it(`${order.field}${order.customField ? ` ${order.customField}` : ""} ${direction}`, async () => {
        const want = expected(value, direction);
        for (const first of [1, 2, 3]) expect(await pageThrough({ ...order, direction }, first), `first: ${first}`).toEqual(want);
      });
    }
  }

  it("sorts by createdAt descending when no order is given", async () => {
    expect(await pageThrough({}, 2)).toEqual(expected((p) => p.createdAt, "DESC"));
  });

  it("sorts a filtered list", async () => {
    const want = expected((p) => p.lastName, "ASC").filter((uid) => uid !== "barbara");
    expect(await pageThrough({ field: "LAST_NAME", direction: "ASC" }, 1, { status: ["ACTIVE"] })).toEqual(want);
  });

  it("follows the primary email as it changes (kept by a trigger on contact)", async () => {
    const ctx = gw.serviceContext("A");
    const linus = ids.get("linus")!;
    await addContact(ctx, linus, "EMAIL", { value: "aaa@example.org" });
    await setPrimaryContact(ctx, linus, "EMAIL", "aaa@example.org");
    expect((await pageThrough({ field: "PRIMARY_EMAIL", direction: "ASC" }, 5))[0]).toBe("linus");
    await setPrimaryContact(ctx, linus, "EMAIL", "linus@example.org");
    await removeContact(ctx, linus, "EMAIL", "aaa@example.org");
    expect(await pageThrough({ field: "PRIMARY_EMAIL", direction: "ASC" }, 5)).toEqual(expected((p) => p.email, "ASC"));
  });
});

describe("cursors and sort errors", () => {
  const first = async (orderBy: CustomerOrder) =>
    (await gw.gql(FilterCustomersDocument, { orderBy, first: 1 })).data!.customers.pageInfo.endCursor!;
  const issues = async (orderBy: CustomerOrder, after?: string) => {
    const res = await gw.gql(FilterCustomersDocument, { orderBy, first: 1, after });
    return res.errors?.map((e) => e.extensions);
  };

  it("refuses a cursor of another sort or direction, naming after", async () => {
    const byName = await first({ field: "LAST_NAME", direction: "ASC" });
    const refusal = [
      { code: "VALIDATION_FAILED", issues: [{ field: "after", message: "a cursor of another sort order: start again without after" }] },
    ];
    expect(await issues({ field: "CREATED_AT", direction: "ASC" }, byName)).toEqual(refusal);
    expect(await issues({ field: "LAST_NAME", direction: "DESC" }, byName)).toEqual(refusal);
    expect(await issues({ field: "CUSTOM_FIELD", customField: "score", direction: "ASC" }, byName)).toEqual(refusal);
  });

  it("refuses forged cursors before they reach SQL", async () => {
    const forge = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const id = ids.get("ada")!;
    for (const [order, cursor] of [
      [{ field: "CREATED_AT", direction: "DESC" }, forge({ s: "CREATED_AT", d: "DESC", v: "yesterday'; DROP TABLE customer;--", id })],
      [{ field: "CREATED_AT", direction: "DESC" }, forge({ s: "CREATED_AT", d: "DESC", v: null, id })],
      [{ field: "LAST_NAME", direction: "ASC" }, forge({ s: "LAST_NAME", d: "ASC", v: 42, id })],
      [{ field: "LAST_NAME", direction: "ASC" }, forge({ s: "LAST_NAME", d: "ASC", v: "x", id: "' OR 1=1 --" })],
      [{ field: "LAST_NAME", direction: "ASC" }, "not base64 at all ' OR 1=1"],
    ] as [CustomerOrder, string][]) {
      expect(await issues(order, cursor), cursor).toEqual([
        { code: "VALIDATION_FAILED", issues: [{ field: "after", message: "not a cursor returned by this query" }] },
      ]);
    }
    // A well-formed cursor with a hostile value is just a value: a parameter, compared, harmless.
    const hostile = forge({ s: "LAST_NAME", d: "ASC", v: "Hopper'); DROP TABLE customer; --", id });
    expect(await issues({ field: "LAST_NAME", direction: "ASC" }, hostile)).toBeUndefined();
    const jsonHostile = forge({ s: "CUSTOM_FIELD:score", d: "ASC", v: { "'": "'); DROP TABLE customer; --" }, id });
    expect(await issues({ field: "CUSTOM_FIELD", customField: "score", direction: "ASC" }, jsonHostile)).toBeUndefined();
    expect(await gw.db.customer.count({ where: { tenantId: gw.tenants.A.id } })).toBe(5);
  });

  it("sorts only by a searchable, scalar custom field that exists", async () => {
    const at = (message: string) => [{ code: "VALIDATION_FAILED", issues: [{ field: "orderBy.customField", message }] }];
    expect(await issues({ field: "CUSTOM_FIELD", customField: "ratio" })).toEqual(at("not searchable (no index to sort by)"));
    expect(await issues({ field: "CUSTOM_FIELD", customField: "nope" })).toEqual(at("no active custom field has this key"));
    expect(await issues({ field: "CUSTOM_FIELD" })).toEqual(at("give the key of the custom field to sort by"));
    expect(await issues({ field: "LAST_NAME", customField: "score" })).toEqual(at("only with field: CUSTOM_FIELD"));
  });
});

describe("the exported SQL", () => {
  it("is what the page and the count run, parameterized", async () => {
    const ctx = gw.serviceContext("A");
    const filter = { customFields: [{ key: "score", gt: 5 }], email: { contains: "o'brien" } };
    const page = await customerSearchSql(ctx, { filter, first: 10, orderBy: { field: "LAST_NAME", direction: "ASC" } });
    expect(page.text).toContain(`(c.custom_fields -> 'score') > $`);
    expect(page.text).not.toContain("o'brien");
    expect(page.values).toContain("%o'brien%");
    const count = await customerCountSql(ctx, filter);
    expect(count.text).toMatch(/^SELECT count\(\*\) AS n FROM customer c WHERE c\.tenant_id = \$1::uuid/);
    expect(await gw.db.$queryRaw(count)).toEqual([{ n: 0n }]);
  });

  it("lets a tenant's partial index on a field serve a bound-parameter query", async () => {
    const sql = await customerSearchSql(gw.serviceContext("A"), {
      filter: { customFields: [{ key: "score", gte: 20 }] },
      orderBy: { field: "CUSTOM_FIELD", customField: "score", direction: "ASC" },
      first: 10,
    });
    // With sorting switched off, only an index in score order can answer: the partial one, if
    // the planner proves its predicate from the bound tenant parameter (a custom plan does).
    const plan = await gw.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL enable_sort = off");
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      return tx.$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN ${sql}`);
    });
    expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("filter_test_score_idx");
  });
});
