import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { parse } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { sqlReadState } from "../src/graphql/sql-read/plugin.ts";
import {
  CustomerDocument,
  DefineCustomFieldDocument,
  MeCustomFieldsDocument,
  SetAllowUndefinedCustomFieldsDocument,
  UpdateMyCustomFieldsDocument,
  type DefineCustomFieldInput,
} from "./generated/graphql.ts";
import type { SignedInCustomer } from "./helpers/gateway.ts";
import { rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Who sees and edits which custom field: admins everything; the customer (me, and every other
// path to their Customer) only keys defined CUSTOMER_READ or CUSTOMER_EDIT, and edits only the
// CUSTOMER_EDIT ones. Keys without a definition stay admins'.

const gw = useTestGateway();
let c: SignedInCustomer;
const stored = { shown: "visible", pref: "dark", secret: "churn-risk", legacy: 42 };

async function define(input: DefineCustomFieldInput) {
  const out = (await gw.gql(DefineCustomFieldDocument, { input })).data!.defineCustomField;
  if (out.__typename !== "DefineCustomFieldPayload") throw new Error(JSON.stringify(out));
}

beforeAll(async () => {
  await define({ key: "shown", type: "STRING", access: "CUSTOMER_READ" });
  await define({ key: "pref", type: "ENUM", enumValues: ["dark", "light"], access: "CUSTOMER_EDIT" });
  await define({ key: "secret", type: "STRING" });
  await define({ key: "motto", type: "STRING", access: "CUSTOMER_EDIT", maxLength: 10 });
  await gw.gql(SetAllowUndefinedCustomFieldsDocument, { allow: true });
  c = await gw.createSignedInCustomer({ emails: [{ address: "ada@audience.example" }], customFields: stored });
});

const readable = { shown: "visible", pref: "dark" };

describe("reading", () => {
  it("shows admins every key", async () => {
    const res = await gw.gql(CustomerDocument, { id: c.customer.id });
    expect(res.data!.customer!.customFields).toEqual(stored);
  });

  it("shows the customer only readable and editable keys on me, with the SQL read on and off", async () => {
    for (const enabled of [true, false]) {
      sqlReadState.enabled = enabled;
      const res = await gw.gql(MeCustomFieldsDocument, {}, c.as);
      expect(res.errors).toBeUndefined();
      expect(res.data!.me.customFields).toEqual(readable);
    }
    sqlReadState.enabled = true;
  });

  it("holds on other paths to the customer's row: node(id) and a session's customer", async () => {
    const doc = parse(`query ($id: ID!) {
      node(id: $id) { ... on Customer { customFields } }
      me { sessions { edges { node { customer { customFields } } } } }
    }`) as TypedDocumentNode<{
      node: { customFields: unknown };
      me: { sessions: { edges: { node: { customer: { customFields: unknown } } }[] } };
    }>;
    const res = await gw.gql(doc, { id: c.customer.id }, c.as);
    expect(res.data!.node.customFields).toEqual(readable);
    expect(res.data!.me.sessions.edges[0].node.customer.customFields).toEqual(readable);
  });
});

describe("editing with updateMyProfile", () => {
  it("changes CUSTOMER_EDIT keys, validated, and records customer.updated", async () => {
    const res = await gw.gql(UpdateMyCustomFieldsDocument, { customFields: { pref: "light", motto: "carpe diem" } }, c.as);
    expect(res.data!.updateMyProfile).toMatchObject({
      customer: { customFields: { shown: "visible", pref: "light", motto: "carpe diem" } },
    });
    const last = (await auditTrail(gw.db, gw.tenants.A.id)).at(-1)!;
    expect(last).toMatchObject({ type: "customer.updated", actorKind: "CUSTOMER", customerId: rowId(c.customer.id) });
    const row = await gw.db.customer.findUniqueOrThrow({ where: { id: rowId(c.customer.id) } });
    expect(row.customFields).toEqual({ ...stored, pref: "light", motto: "carpe diem" });
  });

  it("refuses read-only, admin-only, undefined and unknown keys by name, and writes nothing", async () => {
    const attempt = { shown: "hacked", secret: "none", legacy: 0, unknown: 1, pref: "dark" };
    const res = await expectNoWrites(gw.db, () => gw.gql(UpdateMyCustomFieldsDocument, { customFields: attempt }, c.as));
    expect(res.data!.updateMyProfile).toMatchObject({ code: "VALIDATION_FAILED" });
    const fields = (res.data!.updateMyProfile as { issues: { field: string }[] }).issues.map((i) => i.field);
    expect(fields).toEqual(["customFields.shown", "customFields.secret", "customFields.legacy", "customFields.unknown"]);
  });

  it("refuses an editable key's invalid value, and deleting a key needs it editable too", async () => {
    const long = await expectNoWrites(gw.db, () =>
      gw.gql(UpdateMyCustomFieldsDocument, { customFields: { motto: "far too long a motto" } }, c.as),
    );
    expect(long.data!.updateMyProfile).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "customFields.motto" }] });
    const remove = await expectNoWrites(gw.db, () => gw.gql(UpdateMyCustomFieldsDocument, { customFields: { secret: null } }, c.as));
    expect(remove.data!.updateMyProfile).toMatchObject({ issues: [{ field: "customFields.secret" }] });
    const cleared = await gw.gql(UpdateMyCustomFieldsDocument, { customFields: { motto: null } }, c.as);
    expect(cleared.data!.updateMyProfile).toMatchObject({ customer: { customFields: { shown: "visible", pref: "light" } } });
  });
});
