import { beforeAll, describe, expect, it } from "vitest";
import { CountCustomersDocument, FilterCustomersDocument, type CustomerFilter } from "./generated/graphql.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { seedFilterFixture } from "./helpers/filter-fixture.ts";

// The filter language through `customers(filter:)`: every operator on every field, and/or/not,
// on the five customers of the fixture (test/helpers/filter-fixture.ts).

const gw = useTestGateway();
beforeAll(() => seedFilterFixture(gw));

/** The uids `filter` selects in tenant A (or B), alphabetically. */
async function uids(filter: CustomerFilter, as: "A" | "B" = "A"): Promise<string[]> {
  const res = await gw.gql(FilterCustomersDocument, { filter, first: 100 }, as);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.customers.edges.map((e) => e.node.uid).sort();
}

const cases: [string, CustomerFilter, string[]][] = [
  ["nothing: everyone", {}, ["ada", "alan", "barbara", "grace", "linus"]],
  ["status ACTIVE", { status: ["ACTIVE"] }, ["ada", "alan", "grace", "linus"]],
  ["status DISABLED or BLOCKED", { status: ["DISABLED", "BLOCKED"] }, ["barbara"]],
  ["email equals, any case", { email: { equals: "ADA@example.com" } }, ["ada"]],
  ["email equals a secondary address", { email: { equals: "countess@math.example" } }, ["ada"]],
  ["email in", { email: { in: ["alan@example.com", "linus@example.org", "nobody@x.example"] } }, ["alan", "linus"]],
  ["email startsWith", { email: { startsWith: "gr" } }, ["grace"]],
  ["email contains", { email: { contains: "@EXAMPLE." } }, ["ada", "alan", "linus"]],
  ["email exists: false", { email: { exists: false } }, ["barbara"]],
  ["email verified", { email: { verified: true } }, ["ada", "grace"]],
  ["one email both verified and matching", { email: { contains: "math", verified: true } }, []],
  ["primary email contains", { email: { contains: "math", primary: true } }, []],
  ["no verified email", { email: { verified: true, exists: false } }, ["alan", "barbara", "linus"]],
  ["phone equals", { phone: { equals: "+14155550105" } }, ["barbara"]],
  // Phones are encrypted at rest (exact match only: startsWith and contains are refused, test/pii-at-rest-phones.test.ts).
  ["phone in and verified", { phone: { in: ["+14155550101", "+14155550105"], verified: true } }, ["ada"]],
  ["phone equals, written with spaces", { phone: { equals: "+1 415 555 0105" } }, ["barbara"]],
  ["username startsWith, any case", { username: { startsWith: "AL" } }, ["alan"]],
  ["username exists: false", { username: { exists: false } }, ["barbara", "grace", "linus"]],
  ["name contains (first or last)", { name: { contains: "ov" } }, ["ada", "barbara"]],
  ["name startsWith: the first name leads", { name: { startsWith: "grace" } }, ["grace"]],
  ["createdAt gte and lt", { createdAt: { gte: "2023-01-02T00:00:00.000Z", lt: "2023-01-04T00:00:00.000Z" } }, ["alan", "grace"]],
  ["createdAt gt and lte", { createdAt: { gt: "2023-01-02T00:00:00.000Z", lte: "2023-01-04T00:00:00.000Z" } }, ["grace", "linus"]],
  ["lastLoginAt exists: false", { lastLoginAt: { exists: false } }, ["alan", "linus"]],
  ["lastLoginAt gte", { lastLoginAt: { gte: "2024-02-01T00:00:00.000Z" } }, ["ada", "grace"]],
  ["identity provider", { identity: { provider: { equals: "google" } } }, ["ada", "grace"]],
  ["identity provider in", { identity: { provider: { in: ["github", "password"] } } }, ["alan", "grace"]],
  ["no identity at all", { identity: { exists: false } }, ["barbara", "linus"]],
  ["no google identity", { identity: { provider: { equals: "google" }, exists: false } }, ["alan", "barbara", "linus"]],
  ["consent granted", { consent: { purpose: "marketing", granted: true } }, ["ada"]],
  ["consent revoked", { consent: { purpose: "marketing", granted: false } }, ["alan"]],
  ["consent answered either way", { consent: { purpose: "marketing" } }, ["ada", "alan"]],
  ["consent version", { consent: { purpose: "marketing", version: { equals: "2" } } }, ["ada"]],
  ["custom object by name", { customObject: { name: "wishlist" } }, ["ada", "grace"]],
  ["custom object data containment", { customObject: { name: "wishlist", data: { sku: "x1" } } }, ["ada"]],
  ["custom object data of another name", { customObject: { name: "purchases", data: { sku: "x2" } } }, []],
];

const field: [string, CustomerFilter["customFields"], string[]][] = [
  ["ENUM equals (searchable)", [{ key: "tier", equals: "gold" }], ["ada", "barbara"]],
  ["ENUM in", [{ key: "tier", in: ["silver", "gold"] }], ["ada", "alan", "barbara"]],
  ["ENUM exists: false", [{ key: "tier", exists: false }], ["grace", "linus"]],
  ["INTEGER range", [{ key: "score", gt: 5, lte: 20 }], ["ada", "alan"]],
  ["INTEGER gte/lt", [{ key: "score", gte: 20, lt: 31 }], ["alan", "grace"]],
  ["INTEGER equals", [{ key: "score", equals: 30 }], ["grace"]],
  ["DECIMAL range, numbers as strings too", [{ key: "ratio", gt: "1.5" }], ["alan"]],
  ["DECIMAL equals (not searchable: containment)", [{ key: "ratio", equals: 1.5 }], ["ada"]],
  ["DATE range", [{ key: "born", lt: "1990-01-01" }], ["alan"]],
  ["DATETIME range, any offset", [{ key: "seen", gte: "2024-01-01T11:00:00+01:00" }], ["ada", "grace"]],
  ["DATETIME equals in another offset", [{ key: "seen", equals: "2024-06-01T02:00:00+02:00" }], ["grace"]],
  ["BOOLEAN equals", [{ key: "vip", equals: false }], ["alan"]],
  ["STRING_LIST contains an item", [{ key: "tags", contains: "b" }], ["ada", "alan"]],
  ["STRING_LIST contains an item (searchable: the field's own index)", [{ key: "skills", contains: "math" }], ["ada", "grace"]],
  ["STRING_LIST equals the list", [{ key: "tags", equals: ["b"] }], ["alan"]],
  ["STRING startsWith (case-sensitive)", [{ key: "nick", startsWith: "C" }], ["ada"]],
  ["STRING contains with LIKE characters taken literally", [{ key: "nick", contains: "_100%" }], ["barbara"]],
  ["STRING contains, no match in another case", [{ key: "nick", contains: "countess" }], []],
  [
    "two conditions: both hold",
    [
      { key: "tier", equals: "gold" },
      { key: "score", gt: 5 },
    ],
    ["ada"],
  ],
];

describe("customers(filter:) selects by every field and operator", () => {
  for (const [what, filter, expected] of cases) {
    it(`${what}: ${JSON.stringify(filter)}`, async () => {
      expect(await uids(filter)).toEqual(expected);
    });
  }
  for (const [what, customFields, expected] of field) {
    it(`custom field ${what}: ${JSON.stringify(customFields)}`, async () => {
      expect(await uids({ customFields })).toEqual(expected);
    });
  }
});

describe("and, or, not", () => {
  it("or: either holds", async () => {
    expect(await uids({ or: [{ email: { equals: "ada@example.com" } }, { phone: { equals: "+14155550105" } }] })).toEqual([
      "ada",
      "barbara",
    ]);
  });

  it("and: both hold, beside the fields of the same level", async () => {
    const filter = { and: [{ customFields: [{ key: "score", gte: 10 }] }, { lastLoginAt: { exists: true } }], status: ["ACTIVE" as const] };
    expect(await uids(filter)).toEqual(["ada", "grace"]);
  });

  it("not: includes customers whose value is missing (never signed in)", async () => {
    expect(await uids({ not: { lastLoginAt: { gte: "2024-02-01T00:00:00.000Z" } } })).toEqual(["alan", "barbara", "linus"]);
    expect(await uids({ not: { customFields: [{ key: "tier", equals: "gold" }] } })).toEqual(["alan", "grace", "linus"]);
  });

  it("nests: or of ands with a not inside", async () => {
    const filter: CustomerFilter = {
      or: [
        { and: [{ identity: { provider: { equals: "google" } } }, { not: { consent: { purpose: "terms", granted: true } } }] },
        { and: [{ email: { exists: false } }, { customFields: [{ key: "nick", contains: "%" }] }] },
      ],
    };
    expect(await uids(filter)).toEqual(["ada", "barbara"]);
  });
});

describe("counts", () => {
  it("totalCount is exact and estimatedCount is the planner's number", async () => {
    const res = await gw.gql(CountCustomersDocument, { filter: { email: { contains: "example" } } });
    expect(res.data!.customers.totalCount).toBe(4);
    expect(Number.isInteger(res.data!.customers.estimatedCount)).toBe(true);
    expect(res.data!.customers.estimatedCount).toBeGreaterThanOrEqual(0);
  });
});

describe("a tenant without custom-field definitions", () => {
  it("keeps equality on any key (containment), and only equality", async () => {
    await gw.createCustomer({ uid: "b1", username: "bob1", customFields: { plan: "gold", n: 3 } }, "B");
    await gw.createCustomer({ uid: "b2", username: "bob2", customFields: { plan: "free" } }, "B");
    expect(await uids({ customFields: [{ key: "plan", equals: "gold" }] }, "B")).toEqual(["b1"]);
    expect(await uids({ customFields: [{ key: "it's", equals: "x" }] }, "B")).toEqual([]);
    const res = await gw.gql(FilterCustomersDocument, { filter: { customFields: [{ key: "n", gt: 1 }] }, first: 5 }, "B");
    expect(res.errors?.[0].extensions).toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [{ field: "filter.customFields.0.gt", message: "a key without a definition allows only equals" }],
    });
  });
});
