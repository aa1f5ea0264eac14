import { describe, expect, it } from "vitest";
import { lockDefinitions } from "../src/custom-fields/access.ts";
import { CreateCustomerCustomFieldsDocument } from "./generated/graphql.ts";
import { TEST_DB } from "./helpers/database.ts";
import { useTestGateway } from "./helpers/suite.ts";

// A definition change holds the tenant's definitions lock (exclusive) while it checks the values
// customers hold; a write validating customFields holds it shared. So a write cannot validate
// against the old definitions and commit a value the new ones refuse while the check runs
// (src/custom-fields/access.ts). The lock is held here by hand, as a definition change holds it.

const gw = useTestGateway();

const settled = async (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describe("custom-field definitions lock", () => {
  it("a customFields write waits while a definition change holds the tenant's lock, then goes through", async () => {
    let write: Promise<unknown> | undefined;
    await gw.db.$transaction(async (tx) => {
      await lockDefinitions(tx, gw.tenants.A.id, "exclusive");
      write = gw.gql(CreateCustomerCustomFieldsDocument, {
        input: { emails: [{ address: "waits@lock.example" }], customFields: { a: 1 } },
      });
      expect(await settled(write, 300)).toBe(false);
    });
    expect(await settled(write!, 5_000)).toBe(true);
    const out = ((await write) as { data: { createCustomer: { __typename: string } } }).data.createCustomer;
    expect(out.__typename).toBe("CreateCustomerPayload");
  });

  it("another tenant's writes do not wait for it", async () => {
    if (TEST_DB !== "postgres") return; // PGlite has one connection: everything queues behind an open transaction.
    await gw.db.$transaction(async (tx) => {
      await lockDefinitions(tx, gw.tenants.A.id, "exclusive");
      const other = gw.gql(
        CreateCustomerCustomFieldsDocument,
        { input: { emails: [{ address: "free@lock.example" }], customFields: { b: 2 } } },
        "B",
      );
      expect(await settled(other, 5_000)).toBe(true);
    });
  });
});
