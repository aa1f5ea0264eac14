import { beforeAll, describe, expect, it } from "vitest";
import {
  CreateCustomerCustomFieldsDocument,
  DefineCustomFieldDocument,
  SetAllowUndefinedCustomFieldsDocument,
  UpdateCustomerCustomFieldsDocument,
  UpdateCustomFieldDocument,
  type DefineCustomFieldInput,
} from "./generated/graphql.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { rowId } from "./helpers/ids.ts";
import { expectNoWrites } from "./helpers/snapshot.ts";

// The values of Customer.customFields against the tenant's definitions, on the admin write paths
// (the customer's own: custom-fields-audiences.test.ts): typed, normalized, defaults, required,
// undefined keys, and definition changes that existing values would not pass.

const gw = useTestGateway();
let n = 0;
const email = () => `cf${++n}@values.example`;
const ids: Record<string, string> = {};

async function define(input: DefineCustomFieldInput, as: "A" | "B" = "A") {
  const out = (await gw.gql(DefineCustomFieldDocument, { input }, as)).data!.defineCustomField;
  if (out.__typename !== "DefineCustomFieldPayload") throw new Error(JSON.stringify(out));
  ids[input.key] = out.customField.id;
  return out;
}

const create = (customFields: Record<string, unknown>, as: "A" | "B" = "A") =>
  gw.gql(CreateCustomerCustomFieldsDocument, { input: { emails: [{ address: email() }], customFields } }, as);
const fieldsOf = (res: Awaited<ReturnType<typeof create>>) => {
  const out = res.data!.createCustomer;
  if (out.__typename !== "CreateCustomerPayload") throw new Error(JSON.stringify(out));
  return out.customer;
};
const issueFields = (out: unknown) => (out as { issues: { field: string }[] }).issues.map((i) => i.field);

beforeAll(async () => {
  await define({ key: "tier", type: "ENUM", enumValues: ["gold", "silver"], required: true, defaultValue: "silver" });
  await define({ key: "seats", type: "INTEGER", minimum: 1, maximum: 1000 });
  await define({ key: "price", type: "DECIMAL" });
  await define({ key: "vip", type: "BOOLEAN" });
  await define({ key: "since", type: "DATE" });
  await define({ key: "seen", type: "DATETIME" });
  await define({ key: "code", type: "STRING", pattern: "^[A-Z]{2}\\d+$", maxLength: 8 });
  await define({ key: "tags", type: "STRING_LIST", maxItems: 3, maxLength: 10 });
  await define({ key: "slow", type: "STRING", pattern: "^(a+)+$" });
});

describe("admin writes", () => {
  it("apply defaults on create and normalize decimals and date-times", async () => {
    const c = fieldsOf(await create({ price: "12.50", seen: "2024-05-01T12:00:00+02:00", since: "2024-02-29", tags: ["a", "b"] }));
    expect(c.customFields).toEqual({
      tier: "silver",
      price: 12.5,
      seen: "2024-05-01T10:00:00.000Z",
      since: "2024-02-29",
      tags: ["a", "b"],
    });
  });

  it("refuse wrong types, out-of-range values and pattern misses, naming customFields.<key>, and write nothing", async () => {
    const bad = {
      tier: "platinum",
      seats: 0,
      price: "12,5",
      vip: "yes",
      since: "2024-13-01",
      seen: "yesterday",
      code: "gb12",
      tags: ["a", "b", "c", "d"],
    };
    const res = await expectNoWrites(gw.db, () => create(bad));
    expect(res.data!.createCustomer).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(issueFields(res.data!.createCustomer).sort()).toEqual(
      Object.keys(bad)
        .map((k) => `customFields.${k}`)
        .sort(),
    );
    const item = await create({ tags: ["ok", "far too long an item"], seats: 2 ** 53 });
    expect([...new Set(issueFields(item.data!.createCustomer))].sort()).toEqual(["customFields.seats", "customFields.tags.1"]);
  });

  it("match admins' patterns in linear time (RE2): a catastrophic pattern meets a crafted value", async () => {
    const started = Date.now();
    const res = await create({ slow: `${"a".repeat(15_000)}b` });
    expect(issueFields(res.data!.createCustomer)).toEqual(["customFields.slow"]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("refuse undefined keys once the tenant has definitions, unless it allows them; a tenant without any takes every key", async () => {
    expect(issueFields((await create({ legacy: 1 })).data!.createCustomer)).toEqual(["customFields.legacy"]);
    expect(fieldsOf(await create({ legacy: 1 }, "B")).customFields).toEqual({ legacy: 1 });
    await gw.gql(SetAllowUndefinedCustomFieldsDocument, { allow: true });
    expect(fieldsOf(await create({ legacy: 1 })).customFields).toEqual({ tier: "silver", legacy: 1 });
    await gw.gql(SetAllowUndefinedCustomFieldsDocument, { allow: false });
  });

  it("require required fields on create, and refuse to delete them on update", async () => {
    await gw.gql(UpdateCustomFieldDocument, { id: ids.tier, input: { defaultValue: null } });
    expect(issueFields((await create({})).data!.createCustomer)).toEqual(["customFields.tier"]);
    await gw.gql(UpdateCustomFieldDocument, { id: ids.tier, input: { defaultValue: "silver" } });
    const c = fieldsOf(await create({ seats: 3, vip: true }));
    const res = await expectNoWrites(gw.db, () => gw.gql(UpdateCustomerCustomFieldsDocument, { id: c.id, customFields: { tier: null } }));
    expect(issueFields(res.data!.updateCustomer)).toEqual(["customFields.tier"]);
  });

  it("merge updates key by key: validated and normalized values, null deletes, undefined keys refused", async () => {
    const c = fieldsOf(await create({ seats: 3, vip: true }));
    const res = await gw.gql(UpdateCustomerCustomFieldsDocument, { id: c.id, customFields: { vip: null, price: "0.5", tier: "gold" } });
    expect(res.data!.updateCustomer).toMatchObject({ customer: { customFields: { tier: "gold", seats: 3, price: 0.5 } } });
    const bad = await expectNoWrites(gw.db, () =>
      gw.gql(UpdateCustomerCustomFieldsDocument, { id: c.id, customFields: { seats: 1.5, x: 1 } }),
    );
    expect(issueFields(bad.data!.updateCustomer)).toEqual(["customFields.seats", "customFields.x"]);
    // Deleting a key nobody defines is always allowed (cleaning up old data).
    const row = await gw.db.customer.update({ where: { id: rowId(c.id) }, data: { customFields: { tier: "gold", old: 1 } } });
    const cleaned = await gw.gql(UpdateCustomerCustomFieldsDocument, { id: c.id, customFields: { old: null } });
    expect(cleaned.data!.updateCustomer).toMatchObject({ customer: { customFields: { tier: "gold" } } });
    expect(row.customFields).toEqual({ tier: "gold", old: 1 });
  });
});

describe("definition changes over existing values", () => {
  it("refuse narrowing a range that held values break, with the count and example uids, and change nothing", async () => {
    const big = fieldsOf(await create({ seats: 900 }));
    const res = await expectNoWrites(gw.db, () => gw.gql(UpdateCustomFieldDocument, { id: ids.seats, input: { maximum: 100 } }));
    expect(res.data!.updateCustomField).toMatchObject({
      __typename: "IncompatibleValuesError",
      code: "CUSTOM_FIELD_VALUES_INCOMPATIBLE",
      key: "seats",
      offenders: 1,
      exampleUids: [big.uid],
    });
    // Widening needs no check and passes.
    expect((await gw.gql(UpdateCustomFieldDocument, { id: ids.seats, input: { maximum: 5000 } })).data!.updateCustomField).toMatchObject({
      customField: { maximum: 5000 },
    });
  });

  it("refuse a type change the held values do not fit", async () => {
    const holder = fieldsOf(await create({ code: "GB12" }));
    const input = { type: "INTEGER" as const, pattern: null, maxLength: null };
    const res = await expectNoWrites(gw.db, () => gw.gql(UpdateCustomFieldDocument, { id: ids.code, input }));
    expect(res.data!.updateCustomField).toMatchObject({
      code: "CUSTOM_FIELD_VALUES_INCOMPATIBLE",
      offenders: 1,
      exampleUids: [holder.uid],
    });
  });

  it("refuse defining a key customers hold values of another type or in another form, counting them", async () => {
    const holders = [{ score: "high" }, { score: 3 }, { score: "4" }, { amount: "1.50" }];
    const uids = [];
    for (const fields of holders) uids.push(fieldsOf(await create(fields, "B")).uid);
    const score = await gw.gql(DefineCustomFieldDocument, { input: { key: "score", type: "INTEGER" } }, "B");
    expect(score.data!.defineCustomField).toMatchObject({
      key: "score",
      offenders: 2,
      exampleUids: expect.arrayContaining([uids[0], uids[2]]),
    });
    // "1.50" is a valid decimal but not in the stored form (a number), which the index orders by.
    const amount = await gw.gql(DefineCustomFieldDocument, { input: { key: "amount", type: "DECIMAL" } }, "B");
    expect(amount.data!.defineCustomField).toMatchObject({ offenders: 1, exampleUids: [uids[3]] });
    expect(
      (await gw.gql(DefineCustomFieldDocument, { input: { key: "score", type: "STRING_LIST" } }, "B")).data!.defineCustomField,
    ).toMatchObject({
      offenders: 3,
    });
  });
});
