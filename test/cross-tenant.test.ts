import { randomUUID } from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { ExecutionResult, GraphQLObjectType } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import type { NotFoundCode } from "../src/errors.ts";
import { schema } from "../src/graphql/schema.ts";
import { createSession } from "../src/sessions/service.ts";
import {
  AddEmailDocument,
  AddPhoneDocument,
  AuditEventsDocument,
  BlockCustomerDocument,
  CreateAdminCredentialDocument,
  CreateCustomObjectDocument,
  CreateCustomerDocument,
  CrossTenantAdminCredentialsDocument,
  CrossTenantCustomerConnectionsDocument,
  CrossTenantNodeDocument,
  CrossTenantNodesDocument,
  CurrentAdminDocument,
  CustomObjectDocument,
  CustomObjectsDocument,
  CustomerByEmailDocument,
  CustomerByPhoneDocument,
  CustomerByUidDocument,
  CustomerByUsernameDocument,
  CustomerDocument,
  CustomersDocument,
  DeleteCustomObjectDocument,
  DeleteCustomerDocument,
  DisableCustomerDocument,
  EnableCustomerDocument,
  DeleteMyCustomObjectDocument,
  GrantConsentDocument,
  IssueEmailVerificationTokenDocument,
  IssuePasswordResetTokenDocument,
  LinkIdentityDocument,
  MeDocument,
  RemoveEmailDocument,
  RemovePhoneDocument,
  RevokeAdminCredentialDocument,
  RevokeAllSessionsDocument,
  RevokeConsentDocument,
  RevokeMySessionDocument,
  RevokeSessionDocument,
  SetEmailVerifiedDocument,
  SetPasswordDocument,
  SetPhoneVerifiedDocument,
  SetPrimaryEmailDocument,
  SetPrimaryPhoneDocument,
  UnblockCustomerDocument,
  UnlinkIdentityDocument,
  UpdateCustomObjectDocument,
  UpdateCustomerDocument,
  UpdateMyCustomObjectDocument,
} from "./generated/graphql.ts";
import { globalId, rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites, snapshotDatabase } from "./helpers/snapshot.ts";
import { subscribeAudit } from "./helpers/subscriber.ts";

// Tenant B's admin credential (all scopes) against tenant A's data. Every root field that takes an
// id or identifier is called with A's: queries must answer null or an empty list, mutations a
// typed *_NOT_FOUND, and not a single row anywhere may change. Root fields that take no id are
// allow-listed below, each with a check that B cannot see A's data through it; a test compares
// the schema's root fields with these lists, so a field added later cannot go unchecked.

const gw = useTestGateway();

/** Tenant A's data, as global IDs and the identifiers B tries. */
const a = {
  customer: "",
  blockedCustomer: "",
  disabledCustomer: "",
  identity: "",
  session: "",
  consent: "",
  customObject: "",
  credential: "",
  auditEvent: "",
  uid: "a-ada",
  username: "ada-of-a",
  email: "ada@a.example",
  secondEmail: "ada.work@a.example",
  phone: "+4915112345678",
  secondPhone: "+4915187654321",
  provider: "google",
  providerUserId: "g-ada",
  objectName: "wishlist",
  objectData: { secret: "only-for-a" },
  purpose: "marketing.email",
  /** Cursors of A's rows in A's own connections. */
  cursors: { identity: "", session: "", consent: "", history: "", customObject: "", credential: "" },
};

/** Tenant B's own customer, for calls that mix B's customer with A's other ids. */
let bobOfB = "";

type Answer = ExecutionResult<Record<string, unknown>> & { status: number };

async function created(res: Answer): Promise<string> {
  const payload = res.data?.createCustomer as { __typename: string; customer?: { id: string } };
  if (payload?.__typename !== "CreateCustomerPayload") throw new Error(`setup failed: ${JSON.stringify(res)}`);
  return payload.customer!.id;
}

function ok<T extends { __typename: string }>(payload: T, typename: string): T {
  if (payload.__typename !== typename) throw new Error(`setup failed: ${JSON.stringify(payload)}`);
  return payload;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  a.credential = globalId("AdminCredential", gw.tenants.A.credentialId);
  const adminA = gw.serviceContext("A");

  // Tenant B's customer gets two rows in every connection before A's rows and two after (in
  // time, and for consents in purpose order), so that a cursor of A's that gave away its
  // position would turn up rows of B in either direction (a connection skips one row, the
  // cursor's own, after the cursor).
  const adminB = gw.serviceContext("B");
  const purposesOfB = ["a.first", "b.second", "t.third", "z.fourth"]; // A's "marketing.email" sorts in the middle
  const rowsOfB = async (n: number) => {
    await sleep(3);
    const identity = { provider: "github", providerUserId: `bob-${n}` };
    ok((await gw.gql(LinkIdentityDocument, { customerId: bobOfB, identity }, "B")).data!.linkIdentity, "LinkIdentityPayload");
    await createSession(adminB, rowId(bobOfB), { userAgent: "curl/8.4.0" });
    const input = { purpose: purposesOfB[n - 1], version: "1", source: "b" };
    ok((await gw.gql(GrantConsentDocument, { customerId: bobOfB, input }, "B")).data!.grantConsent, "GrantConsentPayload");
    const object = { customerId: bobOfB, name: a.objectName, data: { owner: "b", n } };
    ok((await gw.gql(CreateCustomObjectDocument, object, "B")).data!.createCustomObject, "CreateCustomObjectPayload");
    ok((await gw.gql(CreateAdminCredentialDocument, { name: `b-${n}` }, "B")).data!.createAdminCredential, "CreateAdminCredentialPayload");
    await sleep(3);
  };
  bobOfB = await created(await gw.gql(CreateCustomerDocument, { input: { emails: [{ address: "bob@b.example" }] } }, "B"));
  await rowsOfB(1);
  await rowsOfB(2);

  // Tenant A: one customer with everything, one blocked and one disabled one (so that unblock and
  // enable would change something if B could reach them).
  a.customer = await created(
    await gw.gql(CreateCustomerDocument, {
      input: {
        uid: a.uid,
        username: a.username,
        firstName: "Ada",
        customFields: { plan: "a-gold" },
        emails: [{ address: a.email }, { address: a.secondEmail }],
        phones: [{ number: a.phone }, { number: a.secondPhone }],
        identities: [
          { provider: a.provider, providerUserId: a.providerUserId, profile: { sub: a.providerUserId } },
          { provider: "password", providerUserId: "ada" },
        ],
      },
    }),
  );
  a.blockedCustomer = await created(await gw.gql(CreateCustomerDocument, { input: { emails: [{ address: "blocked@a.example" }] } }));
  ok((await gw.gql(BlockCustomerDocument, { id: a.blockedCustomer, reason: "fraud check" })).data!.blockCustomer, "BlockCustomerPayload");
  a.disabledCustomer = await created(await gw.gql(CreateCustomerDocument, { input: { emails: [{ address: "disabled@a.example" }] } }));
  ok((await gw.gql(DisableCustomerDocument, { id: a.disabledCustomer })).data!.disableCustomer, "DisableCustomerPayload");
  const object = ok(
    (await gw.gql(CreateCustomObjectDocument, { customerId: a.customer, name: a.objectName, data: a.objectData })).data!.createCustomObject,
    "CreateCustomObjectPayload",
  );
  if (object.__typename === "CreateCustomObjectPayload") a.customObject = object.customObject.id;
  const consent = ok(
    (await gw.gql(GrantConsentDocument, { customerId: a.customer, input: { purpose: a.purpose, version: "1", source: "signup-form" } }))
      .data!.grantConsent,
    "GrantConsentPayload",
  );
  if (consent.__typename === "GrantConsentPayload") a.consent = consent.consent.id;
  // Sessions start at sign-in, which has no admin mutation: call the service as tenant A.
  a.session = globalId("Session", (await createSession(adminA, rowId(a.customer), { ip: "203.0.113.7", userAgent: "curl/8.4.0" })).id);

  const connections = (await gw.gql(CrossTenantCustomerConnectionsDocument, { id: a.customer })).data!.customer!;
  const googleEdge = connections.identities.edges.find((e) => e.node.providerUserId === a.providerUserId)!;
  a.identity = googleEdge.node.id;
  a.cursors.identity = googleEdge.cursor;
  a.cursors.session = connections.sessions.edges[0].cursor;
  a.cursors.consent = connections.consents.edges[0].cursor;
  a.cursors.history = connections.consentHistory.edges[0].cursor;
  a.cursors.customObject = connections.customObjects.edges[0].cursor;
  a.cursors.credential = (await gw.gql(CrossTenantAdminCredentialsDocument, {})).data!.adminCredentials.edges[0].cursor;
  const events = (await gw.gql(AuditEventsDocument, { filter: { customerId: a.customer }, first: 1 })).data!.auditEvents.edges;
  a.auditEvent = events[0].node.id;

  await rowsOfB(3);
  await rowsOfB(4);
});

// ---------------------------------------------------------------------------------------------
// Proving that nothing changed

/** Runs `act` and proves every table of the database is unchanged afterwards. */
const withoutWrites = <T>(act: () => Promise<T>): Promise<T> => expectNoWrites(gw.db, act);

// ---------------------------------------------------------------------------------------------
// Root fields that take an id or identifier of A's data

/** A read that must find A's data with A's credential and nothing with B's. */
interface QueryCase {
  field: string;
  what: string;
  send: (as: "A" | "B") => Promise<Answer>;
  /** What the answer reveals of A's data: null or [] when nothing. */
  reveals: (data: Record<string, unknown>) => unknown;
}

/** The same connection cursor, pointing at a row id that exists nowhere. */
const withUnknownRow = (cursor: string) =>
  Buffer.from(
    Buffer.from(cursor, "base64")
      .toString("utf8")
      .replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/, randomUUID()),
  ).toString("base64");

const edgesOf = (connection: unknown) => (connection as { edges: unknown[] }).edges;

const NODE_TYPES: Record<string, () => string> = {
  Customer: () => a.customer,
  Identity: () => a.identity,
  Session: () => a.session,
  Consent: () => a.consent,
  CustomObject: () => a.customObject,
  AdminCredential: () => a.credential,
  AuditEvent: () => a.auditEvent,
};

const QUERY_CASES: QueryCase[] = [
  {
    field: "customer",
    what: "A's customer id",
    send: (as) => gw.gql(CustomerDocument, { id: a.customer }, as),
    reveals: (d) => d.customer,
  },
  {
    field: "customerByUid",
    what: "A's uid",
    send: (as) => gw.gql(CustomerByUidDocument, { value: a.uid }, as),
    reveals: (d) => d.customerByUid,
  },
  {
    field: "customerByEmail",
    what: "A's email",
    send: (as) => gw.gql(CustomerByEmailDocument, { value: a.email.toUpperCase() }, as),
    reveals: (d) => d.customerByEmail,
  },
  {
    field: "customerByUsername",
    what: "A's username",
    send: (as) => gw.gql(CustomerByUsernameDocument, { value: a.username }, as),
    reveals: (d) => d.customerByUsername,
  },
  {
    field: "customerByPhone",
    what: "A's phone",
    send: (as) => gw.gql(CustomerByPhoneDocument, { value: "+49 151 1234-5678" }, as),
    reveals: (d) => d.customerByPhone,
  },
  {
    field: "customObject",
    what: "A's custom object id",
    send: (as) => gw.gql(CustomObjectDocument, { id: a.customObject }, as),
    reveals: (d) => d.customObject,
  },
  ...Object.entries(NODE_TYPES).map(([type, id]): QueryCase => ({
    field: "node",
    what: `the id of A's ${type}`,
    send: (as) => gw.gql(CrossTenantNodeDocument, { id: id() }, as),
    reveals: (d) => d.node,
  })),
  {
    field: "nodes",
    what: "the ids of all of A's nodes",
    send: (as) => gw.gql(CrossTenantNodesDocument, { ids: Object.values(NODE_TYPES).map((id) => id()) }, as),
    reveals: (d) => (d.nodes as unknown[]).filter((n) => n !== null),
  },
  {
    field: "auditEvents",
    what: "a filter on A's customer id",
    send: (as) => gw.gql(AuditEventsDocument, { filter: { customerId: a.customer }, first: 50 }, as),
    reveals: (d) => edgesOf(d.auditEvents),
  },
];

/** A change B must not be able to make: it answers a typed not-found error. */
interface MutationCase {
  field: string;
  what: string;
  code: NotFoundCode;
  send: () => Promise<Answer>;
}

const asB = <R, V extends Record<string, unknown>>(doc: TypedDocumentNode<R, V>, variables: V) =>
  gw.gql(doc, variables, "B") as unknown as Promise<Answer>;

const MUTATION_CASES: MutationCase[] = [
  // Customers
  {
    field: "updateCustomer",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(UpdateCustomerDocument, { id: a.customer, input: { firstName: "Mallory" } }),
  },
  {
    field: "deleteCustomer",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(DeleteCustomerDocument, { id: a.customer }),
  },
  {
    field: "blockCustomer",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(BlockCustomerDocument, { id: a.customer, reason: "mallory" }),
  },
  {
    field: "unblockCustomer",
    what: "A's blocked customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(UnblockCustomerDocument, { id: a.blockedCustomer }),
  },
  {
    field: "disableCustomer",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(DisableCustomerDocument, { id: a.customer }),
  },
  {
    field: "enableCustomer",
    what: "A's disabled customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(EnableCustomerDocument, { id: a.disabledCustomer }),
  },
  // Emails and phones: A's customer, and B's own customer with A's address or number
  {
    field: "addEmail",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(AddEmailDocument, { customerId: a.customer, email: { address: "mallory@b.example", primary: true } }),
  },
  {
    field: "removeEmail",
    what: "A's customer and email",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(RemoveEmailDocument, { customerId: a.customer, email: a.email }),
  },
  {
    field: "removeEmail",
    what: "B's customer and A's email",
    code: "EMAIL_NOT_FOUND",
    send: () => asB(RemoveEmailDocument, { customerId: bobOfB, email: a.email }),
  },
  {
    field: "setEmailVerified",
    what: "A's customer and email",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(SetEmailVerifiedDocument, { customerId: a.customer, email: a.email, verified: true }),
  },
  {
    field: "setEmailVerified",
    what: "B's customer and A's email",
    code: "EMAIL_NOT_FOUND",
    send: () => asB(SetEmailVerifiedDocument, { customerId: bobOfB, email: a.email, verified: true }),
  },
  {
    field: "setPrimaryEmail",
    what: "A's customer and second email",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(SetPrimaryEmailDocument, { customerId: a.customer, email: a.secondEmail }),
  },
  {
    field: "setPrimaryEmail",
    what: "B's customer and A's email",
    code: "EMAIL_NOT_FOUND",
    send: () => asB(SetPrimaryEmailDocument, { customerId: bobOfB, email: a.secondEmail }),
  },
  {
    field: "addPhone",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(AddPhoneDocument, { customerId: a.customer, phone: { number: "+14155550100", primary: true } }),
  },
  {
    field: "removePhone",
    what: "A's customer and phone",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(RemovePhoneDocument, { customerId: a.customer, phone: a.phone }),
  },
  {
    field: "removePhone",
    what: "B's customer and A's phone",
    code: "PHONE_NOT_FOUND",
    send: () => asB(RemovePhoneDocument, { customerId: bobOfB, phone: a.phone }),
  },
  {
    field: "setPhoneVerified",
    what: "A's customer and phone",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(SetPhoneVerifiedDocument, { customerId: a.customer, phone: a.phone, verified: true }),
  },
  {
    field: "setPhoneVerified",
    what: "B's customer and A's phone",
    code: "PHONE_NOT_FOUND",
    send: () => asB(SetPhoneVerifiedDocument, { customerId: bobOfB, phone: a.phone, verified: true }),
  },
  {
    field: "setPrimaryPhone",
    what: "A's customer and second phone",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(SetPrimaryPhoneDocument, { customerId: a.customer, phone: a.secondPhone }),
  },
  {
    field: "setPrimaryPhone",
    what: "B's customer and A's phone",
    code: "PHONE_NOT_FOUND",
    send: () => asB(SetPrimaryPhoneDocument, { customerId: bobOfB, phone: a.secondPhone }),
  },
  // Identities
  {
    field: "linkIdentity",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(LinkIdentityDocument, { customerId: a.customer, identity: { provider: "github", providerUserId: "mallory" } }),
  },
  {
    field: "unlinkIdentity",
    what: "A's customer and identity",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(UnlinkIdentityDocument, { customerId: a.customer, identityId: a.identity }),
  },
  {
    field: "unlinkIdentity",
    what: "B's customer and A's identity",
    code: "IDENTITY_NOT_FOUND",
    send: () => asB(UnlinkIdentityDocument, { customerId: bobOfB, identityId: a.identity }),
  },
  // Custom objects
  {
    field: "createCustomObject",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(CreateCustomObjectDocument, { customerId: a.customer, name: a.objectName, data: { planted: true } }),
  },
  {
    field: "updateCustomObject",
    what: "A's custom object",
    code: "CUSTOM_OBJECT_NOT_FOUND",
    send: () => asB(UpdateCustomObjectDocument, { id: a.customObject, data: { secret: "overwritten" }, merge: true }),
  },
  {
    field: "deleteCustomObject",
    what: "A's custom object",
    code: "CUSTOM_OBJECT_NOT_FOUND",
    send: () => asB(DeleteCustomObjectDocument, { id: a.customObject }),
  },
  // Consents
  {
    field: "grantConsent",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(GrantConsentDocument, { customerId: a.customer, input: { purpose: a.purpose, version: "2", source: "mallory" } }),
  },
  {
    field: "revokeConsent",
    what: "A's customer and purpose",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(RevokeConsentDocument, { customerId: a.customer, purpose: a.purpose }),
  },
  {
    field: "revokeConsent",
    what: "B's customer and A's purpose",
    code: "CONSENT_NOT_FOUND",
    send: () => asB(RevokeConsentDocument, { customerId: bobOfB, purpose: a.purpose }),
  },
  // Sessions
  { field: "revokeSession", what: "A's session", code: "SESSION_NOT_FOUND", send: () => asB(RevokeSessionDocument, { id: a.session }) },
  {
    field: "revokeAllSessions",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(RevokeAllSessionsDocument, { customerId: a.customer }),
  },
  // Passwords and one-time tokens (admin side of customer sign-in)
  {
    field: "setPassword",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(SetPasswordDocument, { customerId: a.customer, password: "correct horse battery staple" }),
  },
  {
    field: "issuePasswordResetToken",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(IssuePasswordResetTokenDocument, { customerId: a.customer }),
  },
  {
    field: "issueEmailVerificationToken",
    what: "A's customer and email",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(IssueEmailVerificationTokenDocument, { customerId: a.customer, email: a.email }),
  },
  {
    field: "issueEmailVerificationToken",
    what: "B's customer and A's email",
    code: "EMAIL_NOT_FOUND",
    send: () => asB(IssueEmailVerificationTokenDocument, { customerId: bobOfB, email: a.email }),
  },
  // Admin credentials
  {
    field: "revokeAdminCredential",
    what: "A's credential",
    code: "CREDENTIAL_NOT_FOUND",
    send: () => asB(RevokeAdminCredentialDocument, { id: a.credential }),
  },
];

// ---------------------------------------------------------------------------------------------
// Root fields that take no id of A's data. Each has a check below that B sees nothing of A's
// through it (describe "fields that take no id of tenant A's data").

/** Admin fields without an id argument: they act on, or list, the caller's own tenant. */
const QUERIES_WITHOUT_IDS = [
  "currentAdmin", // the caller's own credential
  "currentTenant", // the caller's own tenant
  "adminCredentials", // list of the caller's tenant (cursor: checked)
  "customers", // search in the caller's tenant by email, phone, name… (checked with A's values)
  "customObjects", // search in the caller's tenant by name and data (checked with A's values and cursor)
];
const MUTATIONS_WITHOUT_IDS = [
  "createCustomer", // creates in the caller's tenant; A's email, phone, uid… must not conflict (checked)
  "createAdminCredential", // issues a credential of the caller's tenant (checked: it cannot read A)
];
const SUBSCRIPTIONS_WITHOUT_IDS = [
  "auditEvents", // the caller's tenant's trail (checked: B's replay holds none of A's events)
];

/**
 * Customer-facing fields, covered by their own tests: they authenticate a customer (X-Tenant
 * header, or a customer's access token naming tenant and customer) instead of an admin
 * credential, so "B's admin credential with A's ids" is not their threat. Checked here only in
 * that B's admin credential gets nothing out of them (describe "customer-facing fields").
 */
const CUSTOMER_FACING_QUERIES = ["me"];
const CUSTOMER_FACING_MUTATIONS = [
  "signIn",
  "refreshSession",
  "signOut",
  "changePassword",
  "forgotPassword",
  "resetPassword",
  "verifyEmail",
  "updateMyProfile",
  "revokeMySession",
  "grantMyConsent",
  "revokeMyConsent",
  "createMyCustomObject",
  "updateMyCustomObject",
  "deleteMyCustomObject",
];

// ---------------------------------------------------------------------------------------------

describe("tenant B's credential with tenant A's ids", () => {
  it("reaches tenant B's own data (the control: a working credential, no authorization error)", async () => {
    const res = await gw.gql(CustomerDocument, { id: bobOfB }, "B");
    expect(res.data!.customer).toMatchObject({ id: bobOfB });
  });

  for (const c of QUERY_CASES) {
    it(`Query.${c.field} with ${c.what} finds it for tenant A and answers nothing to tenant B, writing nothing`, async () => {
      const forA = await c.send("A");
      expect(forA.errors).toBeUndefined();
      const revealedToA = c.reveals(forA.data!);
      expect(Array.isArray(revealedToA) ? revealedToA.length : revealedToA).toBeTruthy();

      const forB = await withoutWrites(() => c.send("B"));
      expect(forB.errors).toBeUndefined();
      const revealedToB = c.reveals(forB.data!);
      expect(revealedToB === null || (Array.isArray(revealedToB) && revealedToB.length === 0), JSON.stringify(forB.data)).toBe(true);
    });
  }

  for (const c of MUTATION_CASES) {
    it(`Mutation.${c.field} with ${c.what} answers ${c.code} to tenant B and writes nothing`, async () => {
      const res = await withoutWrites(() => c.send());
      expect(res.errors).toBeUndefined();
      expect(res.data![c.field]).toMatchObject({ __typename: "NotFoundError", code: c.code });
    });
  }

  it("nested connections of B's customer resumed from cursors of A's rows answer as for unknown rows", async () => {
    const connections = ["identities", "sessions", "consents", "consentHistory", "customObjects"] as const;
    const page = async (after: (c: (typeof connections)[number]) => string | undefined) => {
      const res = await withoutWrites(() =>
        gw.gql(
          CrossTenantCustomerConnectionsDocument,
          {
            id: bobOfB,
            identitiesAfter: after("identities"),
            sessionsAfter: after("sessions"),
            consentsAfter: after("consents"),
            historyAfter: after("consentHistory"),
            objectsAfter: after("customObjects"),
          },
          "B",
        ),
      );
      expect(res.errors).toBeUndefined();
      return res.data!.customer!;
    };
    const cursorOfA = {
      identities: a.cursors.identity,
      sessions: a.cursors.session,
      consents: a.cursors.consent,
      consentHistory: a.cursors.history,
      customObjects: a.cursors.customObject,
    };
    // Control: B's rows lie on both sides of A's in every order, so resuming after B's own first
    // row does find rows, and so would resuming after A's if its cursor leaked A's position.
    const own = await page(() => undefined);
    const afterOwnFirst = await page((c) => own[c].edges[0].cursor);
    for (const c of connections) expect(afterOwnFirst[c].edges.length, c).toBeGreaterThan(0);

    const afterA = await page((c) => cursorOfA[c]);
    const afterUnknown = await page((c) => withUnknownRow(cursorOfA[c]));
    for (const c of connections) expect(afterA[c].edges, c).toEqual([]);
    expect(afterA).toEqual(afterUnknown);
  });
});

describe("fields that take no id of tenant A's data", () => {
  it("currentAdmin and currentTenant answer tenant B's own credential and tenant", async () => {
    const res = await gw.gql(CurrentAdminDocument, {}, "B");
    expect(res.data!.currentTenant).toMatchObject({ id: gw.tenants.B.id, slug: "tenant-b" });
    expect(res.data!.currentAdmin.keyId).toBe(gw.tenants.B.keyId);
  });

  it("adminCredentials lists none of A's credentials, and resumed from A's cursor answers as from an unknown one", async () => {
    const all = (await gw.gql(CrossTenantAdminCredentialsDocument, {}, "B")).data!.adminCredentials.edges;
    expect(all.map((e) => e.node.id)).not.toContain(a.credential);
    expect(all.map((e) => e.node.keyId)).not.toContain(gw.tenants.A.keyId);
    // Control: all of B's credentials are younger than A's, so a leaking cursor would list them.
    const afterOwnFirst = (await gw.gql(CrossTenantAdminCredentialsDocument, { after: all[0].cursor }, "B")).data!.adminCredentials.edges;
    expect(afterOwnFirst.length).toBeGreaterThan(0);
    const fromA = await withoutWrites(() => gw.gql(CrossTenantAdminCredentialsDocument, { after: a.cursors.credential }, "B"));
    const fromNowhere = await gw.gql(CrossTenantAdminCredentialsDocument, { after: withUnknownRow(a.cursors.credential) }, "B");
    expect(fromA).toEqual(fromNowhere);
  });

  it("customers finds nothing of A's by A's email, phone, username, name or custom fields", async () => {
    const filters = [
      { email: { equals: a.email } },
      { email: { contains: "@a.example" } },
      { phone: { equals: a.phone } },
      { username: { startsWith: "ada" } },
      { name: { contains: "ada" } },
      { customFields: { plan: "a-gold" } },
    ];
    for (const filter of filters) {
      const res = await withoutWrites(() => gw.gql(CustomersDocument, { filter, first: 100 }, "B"));
      expect(res.data!.customers, JSON.stringify(filter)).toMatchObject({ totalCount: 0, edges: [] });
    }
    const everything = (await gw.gql(CustomersDocument, { first: 100 }, "B")).data!.customers;
    expect(everything.edges.map((e) => e.node.id)).toEqual([bobOfB]);
  });

  it("customObjects lists only B's objects of A's name, nothing for A's data, and the same from A's cursor as from an unknown one", async () => {
    const byName = (await gw.gql(CustomObjectsDocument, { name: a.objectName, first: 50 }, "B")).data!.customObjects.edges;
    expect(byName.map((e) => e.node.data.owner)).toEqual(["b", "b", "b", "b"]);
    expect(byName.map((e) => e.node.id)).not.toContain(a.customObject);
    const byData = await withoutWrites(() => gw.gql(CustomObjectsDocument, { name: a.objectName, filter: a.objectData }, "B"));
    expect(byData.data!.customObjects.edges).toEqual([]);
    for (const filter of [undefined, { owner: "b" }]) {
      // Control: B's objects lie on both sides of A's in time, so a leaking cursor would list some.
      const afterOwnFirst = await gw.gql(CustomObjectsDocument, { name: a.objectName, filter, after: byName[0].cursor }, "B");
      expect(afterOwnFirst.data!.customObjects.edges.length).toBeGreaterThan(0);
      const fromA = await withoutWrites(() =>
        gw.gql(CustomObjectsDocument, { name: a.objectName, filter, after: a.cursors.customObject }, "B"),
      );
      const fromNowhere = await gw.gql(
        CustomObjectsDocument,
        { name: a.objectName, filter, after: withUnknownRow(a.cursors.customObject) },
        "B",
      );
      expect(fromA, `filter ${JSON.stringify(filter)}`).toEqual(fromNowhere);
    }
  });

  it("auditEvents of B contain none of A's events, and no event of B leads to A's customer", async () => {
    const mine = (await gw.gql(AuditEventsDocument, { first: 200 }, "B")).data!.auditEvents.edges.map((e) => e.node);
    const ofA = new Set((await auditTrail(gw.db, gw.tenants.A.id)).map((e) => globalId("AuditEvent", e.id)));
    expect(mine.length).toBe((await auditTrail(gw.db, gw.tenants.B.id)).length);
    expect(mine.filter((e) => ofA.has(e.id))).toEqual([]);
    expect(mine.filter((e) => e.customerId === a.customer || e.customer?.id === a.customer)).toEqual([]);
  });

  it("createCustomer with A's email, phone, uid, username and identity succeeds in B without touching A (no conflict gives A's data away)", async () => {
    const before = await snapshotDatabase(gw.db, gw.tenants.A.id);
    const res = await gw.gql(
      CreateCustomerDocument,
      {
        input: {
          uid: a.uid,
          username: a.username,
          emails: [{ address: a.email }],
          phones: [{ number: a.phone }],
          identities: [{ provider: a.provider, providerUserId: a.providerUserId }],
        },
      },
      "B",
    );
    const twin = await created(res);
    expect(twin).not.toBe(a.customer);
    expect(await snapshotDatabase(gw.db, gw.tenants.A.id)).toEqual(before);
    expect((await gw.gql(CustomerByEmailDocument, { value: a.email }, "B")).data!.customerByEmail).toEqual({
      id: twin,
      primaryEmail: a.email,
    });
    expect((await gw.gql(CustomerByEmailDocument, { value: a.email }, "A")).data!.customerByEmail).toEqual({
      id: a.customer,
      primaryEmail: a.email,
    });
    ok((await gw.gql(DeleteCustomerDocument, { id: twin }, "B")).data!.deleteCustomer, "DeleteCustomerPayload");
  });

  it("createAdminCredential issues a credential of B's tenant, which cannot read A's data either", async () => {
    const before = await snapshotDatabase(gw.db, gw.tenants.A.id);
    const issued = ok(
      (await gw.gql(CreateAdminCredentialDocument, { name: "b-second" }, "B")).data!.createAdminCredential,
      "CreateAdminCredentialPayload",
    );
    if (issued.__typename !== "CreateAdminCredentialPayload") return;
    expect(await snapshotDatabase(gw.db, gw.tenants.A.id)).toEqual(before);
    const headers = { "x-api-key": issued.issued.credential.keyId, "x-api-secret": issued.issued.secret };
    expect((await gw.gql(CurrentAdminDocument, {}, { headers })).data!.currentTenant.id).toBe(gw.tenants.B.id);
    expect((await gw.gql(CustomerDocument, { id: a.customer }, { headers })).data!.customer).toBeNull();
    const listedByA = (await gw.gql(CrossTenantAdminCredentialsDocument, {}, "A")).data!.adminCredentials.edges;
    expect(listedByA.map((e) => e.node.keyId)).not.toContain(issued.issued.credential.keyId);
  });

  it("the auditEvents subscription replays to B exactly B's own events, none of A's", async () => {
    const url = await gw.listen();
    const trailOfB = await auditTrail(gw.db, gw.tenants.B.id);
    const sub = subscribeAudit(url, gw.tenants.B.headers, { after: "0" });
    try {
      await sub.waitFor(trailOfB.length);
      expect(sub.errors).toEqual([]);
      expect(sub.events.map((e) => [e.sequence, e.type])).toEqual(trailOfB.map((e) => [Number(e.seq), e.type]));
      expect(sub.events.filter((e) => e.customerId === a.customer)).toEqual([]);
    } finally {
      await sub.close();
    }
  });
});

describe("customer-facing fields", () => {
  it("refuse tenant B's admin credential when given A's ids, and write nothing", async () => {
    const attempts: [string, () => Promise<Answer>][] = [
      ["me", () => asB(MeDocument, {})],
      ["revokeMySession", () => asB(RevokeMySessionDocument, { id: a.session })],
      ["updateMyCustomObject", () => asB(UpdateMyCustomObjectDocument, { id: a.customObject, data: { secret: "overwritten" } })],
      ["deleteMyCustomObject", () => asB(DeleteMyCustomObjectDocument, { id: a.customObject })],
    ];
    for (const [field, send] of attempts) {
      const res = await withoutWrites(send);
      const answer = res.data?.[field] as { __typename?: string } | null | undefined;
      // Refused outright (an authorization error) or with a typed error: never A's data.
      expect(answer?.__typename === undefined || answer.__typename.endsWith("Error"), `${field}: ${JSON.stringify(res)}`).toBe(true);
      expect(JSON.stringify(res)).not.toContain(a.objectData.secret);
    }
  });
});

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
});
