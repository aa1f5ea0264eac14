import { describe, expect, it } from "vitest";
import {
  CustomFieldDefinitionsDocument,
  DefineCustomFieldDocument,
  RestoreCustomFieldDocument,
  RetireCustomFieldDocument,
  SetAllowUndefinedCustomFieldsDocument,
  UpdateCustomFieldDocument,
  type DefineCustomFieldInput,
} from "./generated/graphql.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { globalId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";

// Custom-field definitions through the endpoint: define, change, retire and restore, each
// audited; bad definitions answer typed errors and write nothing. Values: custom-field-values.test.ts.

const gw = useTestGateway();
const lastEvent = async (tenant: "A" | "B" = "A") => (await auditTrail(gw.db, gw.tenants[tenant].id)).at(-1)!;

async function define(input: DefineCustomFieldInput, as: "A" | "B" = "A") {
  const res = await gw.gql(DefineCustomFieldDocument, { input }, as);
  const out = res.data!.defineCustomField;
  if (out.__typename !== "DefineCustomFieldPayload") throw new Error(JSON.stringify(out));
  return out.customField;
}

describe("defining a field", () => {
  it("stores the definition with normalized rules and default, records custom_field.defined, and lists it", async () => {
    const field = await define({
      key: "renewsOn",
      type: "DATETIME",
      description: "Next renewal",
      defaultValue: "2030-01-01T01:00:00+01:00",
      minimum: "2020-01-01T00:00:00Z",
      access: "CUSTOMER_READ",
    });
    expect(field).toMatchObject({
      key: "renewsOn",
      type: "DATETIME",
      required: false,
      defaultValue: "2030-01-01T00:00:00.000Z",
      minimum: "2020-01-01T00:00:00.000Z",
      maximum: null,
      searchable: false,
      access: "CUSTOMER_READ",
      indexState: "NONE",
      retiredAt: null,
    });
    expect(await lastEvent()).toMatchObject({ type: "custom_field.defined", data: { key: "renewsOn", type: "DATETIME" } });
    const list = await gw.gql(CustomFieldDefinitionsDocument, {});
    expect(list.data!.customFieldDefinitions.map((d) => d.key)).toEqual(["renewsOn"]);
    expect(list.data!.allowUndefinedCustomFields).toBe(false);
    // Another tenant sees none of it.
    expect((await gw.gql(CustomFieldDefinitionsDocument, {}, "B")).data!.customFieldDefinitions).toEqual([]);
  });

  it("refuses a key the tenant already has with CUSTOM_FIELD_KEY_TAKEN, and writes nothing", async () => {
    await define({ key: "seats", type: "INTEGER", minimum: 1 });
    const res = await expectNoWrites(gw.db, () => gw.gql(DefineCustomFieldDocument, { input: { key: "seats", type: "STRING" } }));
    expect(res.data!.defineCustomField).toMatchObject({ code: "CUSTOM_FIELD_KEY_TAKEN", field: "key" });
    // The same key in another tenant is another field.
    expect(await define({ key: "seats", type: "STRING" }, "B")).toMatchObject({ key: "seats", type: "STRING" });
  });

  const bad: [string, Partial<DefineCustomFieldInput>, string][] = [
    ["a key that is not an identifier", { key: "plan-tier", type: "STRING" }, "key"],
    ["a key longer than 64 characters", { key: "k".repeat(65), type: "STRING" }, "key"],
    ["a default of the wrong type", { type: "INTEGER", defaultValue: "three" }, "defaultValue"],
    ["a fractional INTEGER default", { type: "INTEGER", defaultValue: 1.5 }, "defaultValue"],
    ["an INTEGER default beyond 2^53", { type: "INTEGER", defaultValue: 2 ** 53 + 2 }, "defaultValue"],
    ["a default outside the range", { type: "DECIMAL", minimum: 0, maximum: 10, defaultValue: "10.5" }, "defaultValue"],
    ["an ENUM default not among the values", { type: "ENUM", enumValues: ["a", "b"], defaultValue: "c" }, "defaultValue"],
    ["an ENUM without values", { type: "ENUM" }, "enumValues"],
    ["values on a non-ENUM field", { type: "STRING", enumValues: ["a"] }, "enumValues"],
    ["repeated ENUM values", { type: "ENUM", enumValues: ["a", "a"] }, "enumValues"],
    ["minimum greater than maximum", { type: "INTEGER", minimum: 5, maximum: 1 }, "minimum"],
    ["minLength greater than maxLength", { type: "STRING", minLength: 5, maxLength: 1 }, "minLength"],
    ["a rule the type does not have", { type: "BOOLEAN", maxLength: 3 }, "maxLength"],
    ["a DATE bound that is not a date", { type: "DATE", minimum: "yesterday" }, "minimum"],
    ["an impossible DATE default", { type: "DATE", defaultValue: "2024-02-30" }, "defaultValue"],
    ["a pattern that does not compile", { type: "STRING", pattern: "([a-z]" }, "pattern"],
    ["a backreference (not RE2: needs backtracking)", { type: "STRING", pattern: "(a)\\1" }, "pattern"],
    ["a lookahead (not RE2)", { type: "STRING", pattern: "(?=a)a" }, "pattern"],
    ["a default failing the pattern", { type: "STRING", pattern: "^[A-Z]{2}$", defaultValue: "gb" }, "defaultValue"],
    ["a negative maxLength", { type: "STRING", maxLength: -1 }, "maxLength"],
    ["a huge pattern", { type: "STRING", pattern: "a".repeat(301) }, "pattern"],
  ];
  it.each(bad)("answers VALIDATION_FAILED naming the field for %s, and writes nothing", async (_name, input, field) => {
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(DefineCustomFieldDocument, { input: { key: "bad", type: "STRING", ...input } as DefineCustomFieldInput }),
    );
    expect(res.data!.defineCustomField).toMatchObject({ code: "VALIDATION_FAILED" });
    expect((res.data!.defineCustomField as { issues: { field: string }[] }).issues.map((i) => i.field)).toContain(field);
  });

  it("refuses an unknown type value before any resolver runs", async () => {
    const res = await gw.gql(DefineCustomFieldDocument, { input: { key: "x", type: "JSONB" as never } });
    expect(res.errors?.[0].extensions?.code).toBe("BAD_REQUEST");
  });
});

describe("changing, retiring and restoring a field", () => {
  it("records custom_field.updated with a diff, records nothing for a change that changes nothing, and keeps the key", async () => {
    const field = await define({ key: "tier", type: "ENUM", enumValues: ["gold", "silver"] });
    const res = await gw.gql(UpdateCustomFieldDocument, { id: field.id, input: { enumValues: ["gold", "silver", "bronze"], pii: true } });
    expect(res.data!.updateCustomField).toMatchObject({ customField: { enumValues: ["gold", "silver", "bronze"], pii: true } });
    expect(await lastEvent()).toMatchObject({
      type: "custom_field.updated",
      data: {
        key: "tier",
        changes: { pii: { from: false, to: true }, enumValues: { from: ["gold", "silver"], to: ["gold", "silver", "bronze"] } },
      },
    });
    await expectNoWrites(gw.db, () => gw.gql(UpdateCustomFieldDocument, { id: field.id, input: { pii: true } }));
    const keyChange = await gw.gql(UpdateCustomFieldDocument, { id: field.id, input: { key: "other" } as never });
    expect(keyChange.errors?.[0].extensions?.code).toBe("BAD_REQUEST");
  });

  it("retires (values stay, the key is refused for a new field) and restores, each audited once", async () => {
    const field = await define({ key: "nickname2", type: "STRING" });
    const retired = await gw.gql(RetireCustomFieldDocument, { id: field.id });
    expect(retired.data!.retireCustomField).toMatchObject({ customField: { key: "nickname2", retiredAt: expect.any(String) } });
    expect(await lastEvent()).toMatchObject({ type: "custom_field.retired", data: { key: "nickname2" } });
    await expectNoWrites(gw.db, () => gw.gql(RetireCustomFieldDocument, { id: field.id }));
    const active = await gw.gql(CustomFieldDefinitionsDocument, {});
    expect(active.data!.customFieldDefinitions.map((d) => d.key)).not.toContain("nickname2");
    const all = await gw.gql(CustomFieldDefinitionsDocument, { includeRetired: true });
    expect(all.data!.customFieldDefinitions.map((d) => d.key)).toContain("nickname2");
    const again = await gw.gql(DefineCustomFieldDocument, { input: { key: "nickname2", type: "STRING" } });
    expect(again.data!.defineCustomField).toMatchObject({ code: "CUSTOM_FIELD_KEY_TAKEN", message: expect.stringMatching(/restore/) });
    const restored = await gw.gql(RestoreCustomFieldDocument, { id: field.id });
    expect(restored.data!.restoreCustomField).toMatchObject({ customField: { retiredAt: null } });
    expect(await lastEvent()).toMatchObject({ type: "custom_field.restored" });
  });

  it("answers CUSTOM_FIELD_NOT_FOUND for unknown, malformed and other tenants' ids", async () => {
    const foreign = await define({ key: "foreign", type: "BOOLEAN" }, "B");
    const ids = [
      foreign.id,
      globalId("CustomFieldDefinition", "00000000-0000-4000-8000-000000000000"),
      "nope",
      globalId("Customer", foreign.id),
    ];
    for (const id of ids) {
      const res = await expectNoWrites(gw.db, () => gw.gql(RetireCustomFieldDocument, { id }));
      expect(res.data!.retireCustomField).toMatchObject({ code: "CUSTOM_FIELD_NOT_FOUND" });
    }
  });

  it("sets whether undefined keys are allowed, recording tenant.updated once", async () => {
    const res = await gw.gql(SetAllowUndefinedCustomFieldsDocument, { allow: true }, "B");
    expect(res.data!.setAllowUndefinedCustomFields).toMatchObject({ allowUndefinedCustomFields: true });
    expect(await lastEvent("B")).toMatchObject({
      type: "tenant.updated",
      data: { changes: { allowUndefinedCustomFields: { from: false, to: true } } },
    });
    await expectNoWrites(gw.db, () => gw.gql(SetAllowUndefinedCustomFieldsDocument, { allow: true }, "B"));
    expect((await gw.gql(CustomFieldDefinitionsDocument, {}, "B")).data!.allowUndefinedCustomFields).toBe(true);
    await gw.gql(SetAllowUndefinedCustomFieldsDocument, { allow: false }, "B");
  });
});
