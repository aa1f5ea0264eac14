import { describe, expect, it, beforeAll } from "vitest";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { sqlReadState } from "../src/graphql/sql-read/plugin.ts";
import { CustomerNestedDocument, CustomersNestedDocument } from "./generated/graphql.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { grantConsent } from "../src/consents/service.ts";
import { createCustomObject } from "../src/custom-objects/service.ts";
import { createSession } from "../src/sessions/service.ts";
import { createCustomer } from "../src/customers/service.ts";
import { globalId } from "./helpers/ids.ts";

const gw = useTestGateway();
const ids: string[] = [];

beforeAll(async () => {
  const ctx = gw.serviceContext("A");
  for (let i = 0; i < 4; i++) {
    const c = await createCustomer(ctx, {
      firstName: `C ${i}`,
      emails: [{ value: `sql-read-${i}@example.com`, primary: true, verified: false }],
      identities: [{ provider: "google", providerUserId: `g-${i}` }],
    });
    await createSession(ctx, c.id, { ip: "203.0.113.7", userAgent: "curl/8.4.0" });
    await grantConsent(ctx, c.id, { purpose: "terms", version: "1", source: "seed" });
    for (let k = 0; k < 12; k++) await createCustomObject(ctx, c.id, { name: "wishlist", data: { k } });
    ids.push(globalId("Customer", c.id));
  }
});

async function both<R, V extends Record<string, unknown>>(doc: TypedDocumentNode<R, V>, variables: V, as?: Parameters<typeof gw.gql>[2]) {
  sqlReadState.enabled = false;
  const normal = await gw.gql(doc, variables, as);
  sqlReadState.enabled = true;
  const served = sqlReadState.served;
  const fallbacks = sqlReadState.fallbacks;
  const fast = await gw.gql(doc, variables, as);
  return { normal, fast, served: sqlReadState.served - served, fellBack: sqlReadState.fallbacks - fallbacks };
}

describe("SQL read", () => {
  it("customer(id) nested", async () => {
    const r = await both(CustomerNestedDocument, { id: ids[0] });
    console.log((sqlReadState.lastFallback as Error)?.stack);
    expect(r.fast).toEqual(r.normal);
    expect(r.served).toBe(1);
  });
  it("customers page nested", async () => {
    const r = await both(CustomersNestedDocument, { first: 3 });
    console.log(sqlReadState.lastFallback);
    expect(r.fast).toEqual(r.normal);
    expect(r.served).toBe(1);
  });
});
