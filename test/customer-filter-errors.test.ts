import { beforeAll, describe, expect, it } from "vitest";
import { FilterCustomersDocument, type CustomerFilter } from "./generated/graphql.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { seedFilterFixture } from "./helpers/filter-fixture.ts";

// Invalid filters are VALIDATION_FAILED with the path of each problem, never an SQL error, and
// hostile strings anywhere in a filter are values, never SQL.

const gw = useTestGateway();
beforeAll(() => seedFilterFixture(gw));

async function issues(filter: CustomerFilter) {
  const res = await gw.gql(FilterCustomersDocument, { filter, first: 5 });
  expect(res.errors, JSON.stringify(filter)).toHaveLength(1);
  expect(res.errors![0].extensions!.code).toBe("VALIDATION_FAILED");
  return res.errors![0].extensions!.issues as { field: string; message: string }[];
}

const nest = (levels: number): CustomerFilter => (levels === 0 ? { status: ["ACTIVE"] } : { not: nest(levels - 1) });

describe("invalid filters name the offending field", () => {
  const cases: [string, CustomerFilter, { field: string; message: string }[]][] = [
    [
      "a phone prefix or substring: phones are encrypted at rest",
      { not: { phone: { startsWith: "+1415", contains: "555" } } },
      [
        { field: "filter.not.phone.startsWith", message: "phone numbers are encrypted at rest: exact match only (equals, in)" },
        { field: "filter.not.phone.contains", message: "phone numbers are encrypted at rest: exact match only (equals, in)" },
      ],
    ],
    [
      "an unknown custom field key",
      {
        and: [
          {
            customFields: [
              { key: "tier", equals: "gold" },
              { key: "nope", equals: 1 },
            ],
          },
        ],
      },
      [{ field: "filter.and.0.customFields.1.key", message: "no active custom field has this key (unknown or retired)" }],
    ],
    [
      "a value of the wrong type",
      { customFields: [{ key: "score", gt: "ten" }] },
      [{ field: "filter.customFields.0.gt", message: "not an integer (score is INTEGER)" }],
    ],
    [
      "an enum value not allowed",
      { customFields: [{ key: "tier", in: ["gold", "bronze"] }] },
      [{ field: "filter.customFields.0.in.1", message: "not one of gold, silver (tier is ENUM)" }],
    ],
    [
      "a date that is not one",
      { customFields: [{ key: "born", lt: "1990-13-45" }] },
      [{ field: "filter.customFields.0.lt", message: "not a date (YYYY-MM-DD) (born is DATE)" }],
    ],
    [
      "an operator the type does not have",
      { or: [{ customFields: [{ key: "vip", gt: true }] }, { customFields: [{ key: "nick", lt: "x" }] }] },
      [
        { field: "filter.or.0.customFields.0.gt", message: "not an operator of BOOLEAN fields (allowed: equals, in, exists)" },
        {
          field: "filter.or.1.customFields.0.lt",
          message: "not an operator of STRING fields (allowed: equals, in, startsWith, contains, exists)",
        },
      ],
    ],
    [
      "a condition without operator",
      { customFields: [{ key: "tier" }] },
      [{ field: "filter.customFields.0", message: "give at least one of equals, in, startsWith, contains, gt, gte, lt, lte, exists" }],
    ],
    ["an empty or", { or: [] }, [{ field: "filter.or", message: "give at least one filter" }]],
    ["an empty status list", { status: [] }, [{ field: "filter.status", message: "give at least one status" }]],
    ["an empty string filter", { email: {} }, [{ field: "filter.email", message: "give at least one operator" }]],
    [
      "an empty date filter",
      { lastLoginAt: {} },
      [{ field: "filter.lastLoginAt", message: "give at least one of gt, gte, lt, lte, exists" }],
    ],
    [
      "too many in values",
      { username: { in: Array.from({ length: 101 }, (_, i) => `u${i}`) } },
      [{ field: "filter.username.in", message: "give 1 to 100 values" }],
    ],
    ["nesting deeper than 8", nest(8), [{ field: "filter.not.not.not.not.not.not.not.not", message: "nested deeper than 8 levels" }]],
    [
      "more than 100 conditions",
      { or: Array.from({ length: 101 }, (_, i) => ({ username: { equals: `u${i}` } })) },
      [{ field: "filter", message: "more than 100 conditions" }],
    ],
  ];
  for (const [what, filter, expected] of cases) {
    it(what, async () => {
      expect(await issues(filter)).toEqual(expected);
    });
  }

  it("accepts 8 levels and 100 conditions", async () => {
    const res = await gw.gql(FilterCustomersDocument, { filter: nest(7), first: 5 });
    expect(res.errors).toBeUndefined();
    const wide = { or: Array.from({ length: 100 }, (_, i) => ({ username: { equals: `u${i}` } })) };
    expect((await gw.gql(FilterCustomersDocument, { filter: wide, first: 5 })).errors).toBeUndefined();
  });
});

describe("hostile strings are values", () => {
  const HOSTILE = ["'; DROP TABLE customer; --", "\\' OR 1=1 --", "%' OR '1'='1", "$1", "a'); SELECT pg_sleep(5); --", '"quoted"'];

  it("in every string operator, object name, JSON value and consent field", async () => {
    for (const s of HOSTILE) {
      const filter: CustomerFilter = {
        or: [
          { email: { equals: s, in: [s], startsWith: s, contains: s } },
          { phone: { equals: s, in: [s] } },
          { username: { startsWith: s } },
          { name: { contains: s } },
          { identity: { provider: { equals: s } } },
          { consent: { purpose: s, granted: true, version: { contains: s } } },
          { customObject: { name: s, data: { [s]: s } } },
          { customFields: [{ key: "nick", equals: s, startsWith: s, contains: s }] },
          { customFields: [{ key: "tags", contains: s }] },
          { customFields: [{ key: "tier", in: ["gold"] }], not: { customFields: [{ key: "seen", exists: true }] } },
        ],
      };
      const res = await gw.gql(FilterCustomersDocument, { filter, first: 10 });
      expect(res.errors, s).toBeUndefined();
      expect(res.data!.customers.edges.map((e) => e.node.uid)).toEqual(["barbara"]);
    }
    expect(await gw.db.customer.count({ where: { tenantId: gw.tenants.A.id } })).toBe(5);
  });

  it("as custom field keys: refused, never written into SQL", async () => {
    for (const key of [...HOSTILE, "score') OR ('1'='1", "score'"]) {
      const found = await issues({ customFields: [{ key, equals: 1 }] });
      expect(found).toEqual([{ field: "filter.customFields.0.key", message: "no active custom field has this key (unknown or retired)" }]);
    }
  });
});
