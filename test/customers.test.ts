import { describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import {
  AddEmailDocument,
  CreateCustomerDocument,
  CustomerByEmailDocument,
  CustomerByPhoneDocument,
  CustomerByUidDocument,
  CustomerByUsernameDocument,
  CustomerDocument,
  DeleteCustomerDocument,
  RemoveEmailDocument,
  SetEmailVerifiedDocument,
  SetPrimaryEmailDocument,
  UpdateCustomerDocument,
  AddPhoneDocument,
  RemovePhoneDocument,
} from "./generated/graphql.ts";
import { rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";

const gw = useTestGateway();

describe("createCustomer", () => {
  it("creates a customer with a normalized profile and records customer.created in the same transaction", async () => {
    const customer = await gw.createCustomer({
      uid: "legacy-42",
      username: "Ada.L",
      firstName: "Ada",
      lastName: "Lovelace",
      birthdate: "1815-12-10",
      locale: "en-GB",
      timezone: "Europe/London",
      addresses: [{ type: "home", city: "London", country: "gb" }],
      emails: [{ address: "Ada@Example.COM" }, { address: "ada@work.example", verified: true }],
      phones: [{ number: "+44 20 7946 0958" }],
      customFields: { plan: "gold", seats: 3 },
    });
    expect(customer).toMatchObject({
      uid: "legacy-42",
      username: "ada.l",
      birthdate: "1815-12-10",
      addresses: [{ type: "home", city: "London", country: "GB" }],
      emails: [
        { address: "ada@example.com", primary: true, verified: false },
        { address: "ada@work.example", primary: false, verified: true },
      ],
      phones: [{ number: "+442079460958", primary: true }],
      primaryEmail: "ada@example.com",
      status: "ACTIVE",
      customFields: { plan: "gold", seats: 3 },
    });
    const events = await auditTrail(gw.db, gw.tenants.A.id);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: "customer.created", actorKind: "ADMIN", userAgent: "vitest" });
    expect(last.data).toMatchObject({ uid: "legacy-42", emails: ["ada@example.com", "ada@work.example"] });
  });

  it("rejects invalid input with VALIDATION_FAILED naming each field, and writes nothing", async () => {
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(CreateCustomerDocument, {
        input: { emails: [{ address: "not-an-email" }], phones: [{ number: "12" }], timezone: "Mars/Olympus", birthdate: "2999-01-01" },
      }),
    );
    const payload = res.data!.createCustomer;
    expect(payload.__typename).toBe("ValidationError");
    if (payload.__typename !== "ValidationError") return;
    expect(payload.code).toBe("VALIDATION_FAILED");
    expect(payload.issues.map((i) => i.field).sort()).toEqual(["birthdate", "emails.0.value", "phones.0.value", "timezone"]);
  });

  it("answers EMAIL_TAKEN when another customer of the tenant has the email, and writes nothing", async () => {
    await gw.createCustomer({ emails: [{ address: "taken@example.com" }] });
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(CreateCustomerDocument, { input: { emails: [{ address: "TAKEN@example.com" }] } }),
    );
    expect(res.data!.createCustomer).toMatchObject({ __typename: "ConflictError", code: "EMAIL_TAKEN", field: "emails" });
  });

  it("lets another tenant use the same email", async () => {
    await gw.createCustomer({ emails: [{ address: "shared@example.com" }] });
    const res = await gw.gql(CreateCustomerDocument, { input: { emails: [{ address: "shared@example.com" }] } }, "B");
    expect(res.data!.createCustomer.__typename).toBe("CreateCustomerPayload");
  });

  it("answers USERNAME_TAKEN and UID_TAKEN for duplicates", async () => {
    await gw.createCustomer({ username: "grace", uid: "u-grace" });
    const byName = await gw.gql(CreateCustomerDocument, { input: { username: "GRACE" } });
    expect(byName.data!.createCustomer).toMatchObject({ code: "USERNAME_TAKEN", field: "username" });
    const byUid = await gw.gql(CreateCustomerDocument, { input: { username: "grace2", uid: "u-grace" } });
    expect(byUid.data!.createCustomer).toMatchObject({ code: "UID_TAKEN", field: "uid" });
  });

  it("requires some way to reach or identify the customer", async () => {
    const res = await gw.gql(CreateCustomerDocument, { input: { firstName: "Nobody" } });
    expect(res.data!.createCustomer).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "emails" }] });
  });
});

describe("updateCustomer", () => {
  it("changes only the given fields, clears nulls, merges customFields and records a diff of what changed", async () => {
    const c = await gw.createCustomer({
      firstName: "Alan",
      lastName: "Turing",
      company: "NPL",
      emails: [{ address: "alan@example.com" }],
      customFields: { a: 1, b: 2 },
    });
    const res = await gw.gql(UpdateCustomerDocument, {
      id: c.id,
      input: { lastName: "M. Turing", company: null, customFields: { b: null, c: 3 } },
    });
    expect(res.data!.updateCustomer).toMatchObject({
      customer: { firstName: "Alan", lastName: "M. Turing", company: null, customFields: { a: 1, c: 3 } },
    });
    const last = (await auditTrail(gw.db, gw.tenants.A.id)).at(-1)!;
    expect(last.type).toBe("customer.updated");
    expect(last.data).toEqual({
      changes: {
        lastName: { from: "Turing", to: "M. Turing" },
        company: { from: "NPL", to: null },
        customFields: { from: { a: 1, b: 2 }, to: { a: 1, c: 3 } },
      },
    });
  });

  it("records nothing when nothing changes", async () => {
    const c = await gw.createCustomer({ firstName: "Same", emails: [{ address: "same@example.com" }] });
    await expectNoWrites(gw.db, () => gw.gql(UpdateCustomerDocument, { id: c.id, input: { firstName: "Same" } }));
  });

  it("answers CUSTOMER_NOT_FOUND for an unknown or malformed id, and writes nothing", async () => {
    const c = await gw.createCustomer({ emails: [{ address: "gone@example.com" }] });
    await gw.gql(DeleteCustomerDocument, { id: c.id });
    for (const id of [c.id, "garbage", Buffer.from("Customer:not-a-uuid").toString("base64")]) {
      const res = await expectNoWrites(gw.db, () => gw.gql(UpdateCustomerDocument, { id, input: { firstName: "X" } }));
      expect(res.data!.updateCustomer).toMatchObject({ __typename: "NotFoundError", code: "CUSTOMER_NOT_FOUND" });
    }
  });
});

describe("deleteCustomer", () => {
  it("deletes the customer with everything it owns while its audit events survive", async () => {
    const c = await gw.createCustomer({
      emails: [{ address: "del@example.com" }],
      identities: [{ provider: "google", providerUserId: "g-del", profile: { sub: "g-del" } }],
    });
    const res = await gw.gql(DeleteCustomerDocument, { id: c.id });
    expect(res.data!.deleteCustomer).toEqual({ __typename: "DeleteCustomerPayload", deletedCustomerId: c.id });
    expect((await gw.gql(CustomerDocument, { id: c.id })).data!.customer).toBeNull();
    expect(await gw.db.contact.count({ where: { normalized: "del@example.com" } })).toBe(0);
    expect(await gw.db.identity.count({ where: { providerUserId: "g-del" } })).toBe(0);
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).filter(
      (e) => e.type.startsWith("customer.") && e.data && (e.data as { uid?: string }).uid === c.uid,
    );
    expect(events.map((e) => e.type)).toEqual(["customer.created", "customer.deleted"]);
  });
});

describe("emails and phones", () => {
  it("adds, verifies, promotes and removes emails, keeping exactly one primary", async () => {
    const c = await gw.createCustomer({ emails: [{ address: "one@example.com" }] });
    await gw.gql(AddEmailDocument, { customerId: c.id, email: { address: "Two@Example.com" } });
    const verified = await gw.gql(SetEmailVerifiedDocument, { customerId: c.id, email: "two@example.com", verified: true });
    expect(verified.data!.setEmailVerified).toMatchObject({
      customer: { emails: [{ verified: false }, { address: "two@example.com", verified: true }] },
    });
    const promoted = await gw.gql(SetPrimaryEmailDocument, { customerId: c.id, email: "TWO@example.com" });
    expect(promoted.data!.setPrimaryEmail).toMatchObject({ customer: { primaryEmail: "two@example.com" } });
    const removed = await gw.gql(RemoveEmailDocument, { customerId: c.id, email: "two@example.com" });
    expect(removed.data!.removeEmail).toMatchObject({ customer: { emails: [{ address: "one@example.com", primary: true }] } });
    const types = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.customerId === rowId(c.id)).map((e) => e.type);
    expect(types).toEqual([
      "customer.created",
      "customer.email_added",
      "customer.email_verified",
      "customer.primary_email_changed",
      "customer.email_removed",
    ]);
  });

  it("answers EMAIL_TAKEN, PHONE_TAKEN and EMAIL_NOT_FOUND with typed errors and no writes", async () => {
    const a = await gw.createCustomer({ emails: [{ address: "a1@example.com" }], phones: [{ number: "+15550000001" }] });
    const b = await gw.createCustomer({ emails: [{ address: "b1@example.com" }] });
    const cases = [
      [() => gw.gql(AddEmailDocument, { customerId: b.id, email: { address: "A1@example.com" } }), "addEmail", "EMAIL_TAKEN"],
      [() => gw.gql(AddPhoneDocument, { customerId: b.id, phone: { number: "+1 555 000 0001" } }), "addPhone", "PHONE_TAKEN"],
      [() => gw.gql(RemoveEmailDocument, { customerId: a.id, email: "nobody@example.com" }), "removeEmail", "EMAIL_NOT_FOUND"],
      [() => gw.gql(RemovePhoneDocument, { customerId: a.id, phone: "+15550000009" }), "removePhone", "PHONE_NOT_FOUND"],
      [() => gw.gql(AddEmailDocument, { customerId: b.id, email: { address: "nope" } }), "addEmail", "VALIDATION_FAILED"],
    ] as const;
    for (const [act, field, code] of cases) {
      const res = (await expectNoWrites(gw.db, act as () => Promise<unknown>)) as { data?: Record<string, { code?: string }> | null };
      expect(res.data![field]).toMatchObject({ code });
    }
  });
});

describe("lookups", () => {
  it("finds a customer by uid, email, username and phone, case-insensitively where it should", async () => {
    const c = await gw.createCustomer({
      uid: "look-1",
      username: "looker",
      emails: [{ address: "look@example.com" }],
      phones: [{ number: "+15551230000" }],
    });
    expect((await gw.gql(CustomerByUidDocument, { value: "look-1" })).data!.customerByUid?.id).toBe(c.id);
    expect((await gw.gql(CustomerByEmailDocument, { value: "LOOK@example.com" })).data!.customerByEmail?.id).toBe(c.id);
    expect((await gw.gql(CustomerByUsernameDocument, { value: "Looker" })).data!.customerByUsername?.id).toBe(c.id);
    expect((await gw.gql(CustomerByPhoneDocument, { value: "+1 (555) 123-0000" })).data!.customerByPhone?.id).toBe(c.id);
    expect((await gw.gql(CustomerByEmailDocument, { value: "missing@example.com" })).data!.customerByEmail).toBeNull();
    expect((await gw.gql(CustomerByEmailDocument, { value: "not an email" })).data!.customerByEmail).toBeNull();
  });
});

describe("admin authentication", () => {
  it("answers 401 UNAUTHENTICATED without credentials and never returns data", async () => {
    const res = await gw.gql(CustomerByUidDocument, { value: "look-1" }, "anonymous");
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect(res.data?.customerByUid ?? null).toBeNull();
  });

  it("answers 401 for a wrong secret, an unknown key or a half credential", async () => {
    const { keyId } = gw.tenants.A;
    const attempts: Record<string, string>[] = [
      { "x-api-key": keyId, "x-api-secret": "sk_wrong" },
      { "x-api-key": "ak_unknown", "x-api-secret": gw.tenants.A.secret },
      { "x-api-key": keyId },
    ];
    for (const headers of attempts) {
      const res = await gw.gql(CustomerByUidDocument, { value: "look-1" }, { headers });
      expect(res.status).toBe(401);
      expect(res.data).toBeUndefined();
    }
  });
});
