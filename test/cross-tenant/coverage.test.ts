import { readdirSync, readFileSync } from "node:fs";
import type { GraphQLObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../src/graphql/schema.ts";
import {
  CUSTOMER_FACING_MUTATIONS,
  CUSTOMER_FACING_QUERIES,
  MUTATION_CASES,
  MUTATIONS_WITHOUT_IDS,
  NODE_TYPES,
  QUERIES_WITHOUT_IDS,
  QUERY_CASES,
  SUBSCRIPTIONS_WITHOUT_IDS,
} from "./cases.ts";

// A root field added later cannot go unchecked: the schema's root fields and Node types must
// each be a case or allow-listed in cases.ts.

describe("coverage of the schema", () => {
  const rootFields = (type: GraphQLObjectType | null | undefined) => Object.keys(type?.getFields() ?? {}).sort();
  const sorted = (names: string[]) => [...new Set(names)].sort();

  it("checks every Query field: with A's ids, or allow-listed with a check of its own", () => {
    const covered = QUERY_CASES.map((c) => c.field);
    expect(rootFields(schema.getQueryType()), "a new Query field: add it to QUERY_CASES or to an allow-list, with a check").toEqual(
      sorted([...covered, ...QUERIES_WITHOUT_IDS, ...CUSTOMER_FACING_QUERIES]),
    );
  });

  it("checks every Mutation field: with A's ids, or allow-listed with a check of its own", () => {
    const covered = MUTATION_CASES.map((c) => c.field);
    expect(
      rootFields(schema.getMutationType()),
      "a new Mutation field: add it to MUTATION_CASES or to an allow-list, with a check",
    ).toEqual(sorted([...covered, ...MUTATIONS_WITHOUT_IDS, ...CUSTOMER_FACING_MUTATIONS]));
  });

  it("checks every Subscription field", () => {
    expect(rootFields(schema.getSubscriptionType())).toEqual(sorted(SUBSCRIPTIONS_WITHOUT_IDS));
  });

  it("tries node(id) with an id of every type that implements Node", () => {
    const nodeTypes = schema.getPossibleTypes(schema.getType("Node") as never).map((t) => t.name);
    expect(sorted(nodeTypes)).toEqual(sorted(Object.keys(NODE_TYPES)));
  });

  it("finds the customer-facing fields in src/account/ and nowhere else, so the source tree names that audience", () => {
    // Root fields are the two-space-indented keys of builder.queryFields/mutationFields.
    const rootFieldsOf = (file: string) => [...readFileSync(file, "utf8").matchAll(/^ {2}(\w+): t\.\w+\(/gm)].map((m) => m[1]);
    const schemaFiles = (readdirSync("src", { recursive: true }) as string[]).filter((f) => f.endsWith("schema.ts"));
    const definedIn = (inAccount: boolean) =>
      schemaFiles.filter((f) => f.startsWith("account/") === inAccount).flatMap((f) => rootFieldsOf(`src/${f}`));
    const customerFacing = sorted([...CUSTOMER_FACING_QUERIES, ...CUSTOMER_FACING_MUTATIONS]);
    expect(sorted(definedIn(true))).toEqual(customerFacing);
    expect(definedIn(false).filter((name) => customerFacing.includes(name))).toEqual([]);
  });
});
