import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { signCheckpoints } from "../../src/audit/checkpoints.ts";
import { importNow } from "../../src/imports/service.ts";
import { addMember } from "../helpers/console.ts";
import {
  AuditChainDocument,
  AuditEventsDocument,
  CreateAdminCredentialDocument,
  CreateCustomerDocument,
  CreateVerificationPolicyDocument,
  VerificationPoliciesDocument,
  CreateSecurityQuestionDocument,
  SecurityQuestionsDocument,
  SetMySecurityAnswersDocument,
  CrossTenantAdminCredentialsDocument,
  CurrentAdminDocument,
  CustomFieldDefinitionsDocument,
  CustomObjectsDocument,
  DefineCustomFieldDocument,
  CustomerByEmailDocument,
  CustomerDocument,
  CustomersDocument,
  CreateSegmentDocument,
  DeleteCustomerDocument,
  DeleteSegmentDocument,
  SegmentDocument,
  SegmentsDocument,
  TeamMembersDocument,
  DeleteMyCustomObjectDocument,
  EnrollTotpDocument,
  RemoveMyAuthenticatorDocument,
  MeDocument,
  MyAccountInformationDocument,
  RevokeMySessionDocument,
  SetAllowUndefinedCustomFieldsDocument,
  UpdateMyCustomObjectDocument,
  type CustomerFilter,
  ImportJobsDocument,
  BulkJobsDocument,
  AuditEventTypesDocument,
  ConnectorDocument,
  ConnectorsDocument,
  CreateConnectorDocument,
  GroupsDocument,
  OrganizationsDocument,
  RolesDocument,
  CreateGroupDocument,
  CreateOrganizationDocument,
  CreateRoleDocument,
  SetGroupClaimsInTokensDocument,
  GroupClaimsInTokensDocument,
} from "../generated/graphql.ts";
import { globalId, rowId } from "../helpers/ids.ts";
import { auditTrail, snapshotDatabase } from "../helpers/snapshot.ts";
import { subscribeAudit } from "../helpers/subscriber.ts";
import {
  a,
  bobOfB,
  type Answer,
  connectorInput,
  created,
  ok,
  useCrossTenantData,
  withoutWrites,
  withUnknownRow,
  asB,
  inflowConnectorOfB,
} from "./fixture.ts";

// The root fields that take no id of tenant A's data (allow-listed in cases.ts), each with a
// check that tenant B sees nothing of A's through it; and the customer-facing fields, which
// refuse B's admin credential.

const gw = useCrossTenantData();

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

  it("customers finds nothing of A's by any filter field holding A's values", async () => {
    const filters: CustomerFilter[] = [
      { email: { equals: a.email } },
      { email: { contains: "@a.example" } },
      { email: { in: [a.email, a.secondEmail] } },
      { phone: { equals: a.phone } },
      { username: { startsWith: "ada" } },
      { username: { in: [a.username] } },
      { name: { contains: "ada" } },
      { customFields: [{ key: "plan", equals: "a-gold" }] },
      { identity: { provider: { equals: a.provider } } },
      { consent: { purpose: a.purpose, granted: true } },
      { customObject: { name: a.objectName, data: a.objectData } },
      { or: [{ email: { equals: a.email } }, { status: ["BLOCKED", "DISABLED"] }] },
      { not: { email: { contains: "@b.example" } } },
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

  it("auditChain of B is B's head and checkpoints, none of A's", async () => {
    await signCheckpoints(gw.db, () => gw.app.auth.keys.signer());
    const [mine, ofA] = await Promise.all(
      ["B", "A"].map(async (t) => (await gw.gql(AuditChainDocument, {}, t as "A" | "B")).data!.auditChain),
    );
    const ownHead = await gw.db.tenant.findUniqueOrThrow({ where: { id: gw.tenants.B.id } });
    expect(mine.headSequence).toBe(Number(ownHead.auditSeq));
    expect(mine.headHash).not.toBe(ofA.headHash);
    const checkpointsOfA = new Set(ofA.latestCheckpoints.map((c) => c.jws));
    expect(mine.latestCheckpoints.length).toBeGreaterThan(0);
    expect(mine.latestCheckpoints.filter((c) => checkpointsOfA.has(c.jws))).toEqual([]);
    expect(await gw.db.auditCheckpoint.count({ where: { tenantId: gw.tenants.B.id } })).toBe(mine.latestCheckpoints.length);
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

  it("customFieldDefinitions lists none of A's; defining A's key in B creates B's own field; B's setting leaves A's alone", async () => {
    expect((await gw.gql(CustomFieldDefinitionsDocument, { includeRetired: true }, "B")).data!.customFieldDefinitions).toEqual([]);
    const before = await snapshotDatabase(gw.db, gw.tenants.A.id);
    const mine = await gw.gql(DefineCustomFieldDocument, { input: { key: "plan", type: "INTEGER" } }, "B");
    expect(mine.data!.defineCustomField).toMatchObject({ customField: { key: "plan", type: "INTEGER", indexState: "NONE" } });
    const allow = await gw.gql(SetAllowUndefinedCustomFieldsDocument, { allow: true }, "B");
    expect(allow.data!.setAllowUndefinedCustomFields).toMatchObject({ allowUndefinedCustomFields: true });
    expect(await snapshotDatabase(gw.db, gw.tenants.A.id)).toEqual(before);
    const ofA = await gw.gql(CustomFieldDefinitionsDocument, {});
    expect(ofA.data).toMatchObject({ allowUndefinedCustomFields: false, customFieldDefinitions: [{ id: a.customField, type: "STRING" }] });
    expect((await gw.gql(CustomFieldDefinitionsDocument, {}, "B")).data!.customFieldDefinitions).toHaveLength(1);
  });

  it("segments lists none of A's segments, and resumed from A's cursor answers as from an unknown one", async () => {
    const all = (await withoutWrites(() => gw.gql(SegmentsDocument, { first: 50 }, "B"))).data!.segments.edges;
    expect(all.map((e) => e.node.name).sort()).toEqual(["b-segment-1", "b-segment-2", "b-segment-3", "b-segment-4"]);
    const fromA = await withoutWrites(() => gw.gql(SegmentsDocument, { first: 50, after: a.cursors.segment }, "B"));
    const fromNowhere = await gw.gql(SegmentsDocument, { first: 50, after: withUnknownRow(a.cursors.segment) }, "B");
    expect(fromA).toEqual(fromNowhere);
  });

  it("createSegment with A's segment name succeeds in B without touching A, and selects only B's customers", async () => {
    const before = await snapshotDatabase(gw.db, gw.tenants.A.id);
    const input = { name: a.segmentName, filter: { email: { equals: a.email } } };
    const made = ok((await gw.gql(CreateSegmentDocument, { input }, "B")).data!.createSegment, "CreateSegmentPayload");
    expect(await snapshotDatabase(gw.db, gw.tenants.A.id)).toEqual(before);
    if (made.__typename !== "CreateSegmentPayload") return;
    const run = (await gw.gql(SegmentDocument, { id: made.segment.id, first: 10 }, "B")).data!.segment!;
    expect(run).toMatchObject({ count: 0, customers: { totalCount: 0, edges: [] } });
    ok((await gw.gql(DeleteSegmentDocument, { id: made.segment.id }, "B")).data!.deleteSegment, "DeleteSegmentPayload");
  });

  it("groups, organizations and roles list only B's own; creating A's names in B and B's group-claims setting leave A untouched", async () => {
    const names = async () => {
      const groups = (await gw.gql(GroupsDocument, { first: 50 }, "B")).data!.groups.edges.map((e) => e.node.name);
      const orgs = (await gw.gql(OrganizationsDocument, { first: 50 }, "B")).data!.organizations.edges.map((e) => e.node.name);
      const roles = (await gw.gql(RolesDocument, { first: 50 }, "B")).data!.roles.edges.map((e) => e.node.name);
      return [...groups, ...orgs, ...roles];
    };
    expect(await withoutWrites(names)).toEqual(["group-B", "org-B", "role-B"]);
    const before = await snapshotDatabase(gw.db, gw.tenants.A.id);
    ok((await gw.gql(CreateGroupDocument, { input: { name: "group-A" } }, "B")).data!.createGroup, "CreateGroupPayload");
    ok((await gw.gql(CreateOrganizationDocument, { input: { name: "org-A" } }, "B")).data!.createOrganization, "CreateOrganizationPayload");
    ok((await gw.gql(CreateRoleDocument, { input: { name: "role-A" } }, "B")).data!.createRole, "CreateRolePayload");
    ok(
      (await gw.gql(SetGroupClaimsInTokensDocument, { enabled: true }, "B")).data!.setGroupClaimsInTokens,
      "SetGroupClaimsInTokensPayload",
    );
    expect(await snapshotDatabase(gw.db, gw.tenants.A.id)).toEqual(before);
    expect((await gw.gql(GroupClaimsInTokensDocument, {}, "A")).data!.groupClaimsInTokens).toBe(false);
    expect((await gw.gql(GroupClaimsInTokensDocument, {}, "B")).data!.groupClaimsInTokens).toBe(true);
  });

  it("verificationPolicies lists none of A's; createVerificationPolicy with A's policy name succeeds in B without touching A", async () => {
    const listed = (await withoutWrites(() => gw.gql(VerificationPoliciesDocument, {}, "B"))).data!.verificationPolicies.edges;
    expect(listed.map((e) => e.node.id)).not.toContain(a.verificationPolicy);
    const before = await snapshotDatabase(gw.db, gw.tenants.A.id);
    const made = await gw.gql(CreateVerificationPolicyDocument, { input: { name: a.policyName, methods: ["VIDEO_CALL"] } }, "B");
    ok(made.data!.createVerificationPolicy, "CreateVerificationPolicyPayload");
    expect(await snapshotDatabase(gw.db, gw.tenants.A.id)).toEqual(before);
  });

  it("securityQuestions lists none of A's; createSecurityQuestion with A's text succeeds in B without touching A", async () => {
    const listed = (await withoutWrites(() => gw.gql(SecurityQuestionsDocument, { includeRetired: true }, "B"))).data!.securityQuestions;
    expect(listed.map((q) => q.id)).not.toContain(a.securityQuestion);
    const before = await snapshotDatabase(gw.db, gw.tenants.A.id);
    ok(
      (await gw.gql(CreateSecurityQuestionDocument, { text: a.questionText }, "B")).data!.createSecurityQuestion,
      "CreateSecurityQuestionPayload",
    );
    expect(await snapshotDatabase(gw.db, gw.tenants.A.id)).toEqual(before);
  });

  it("connectors lists none of A's; resumed from A's cursors (the list, a connector's deliveries) it answers as from unknown ones", async () => {
    const all = (await withoutWrites(() => gw.gql(ConnectorsDocument, { first: 50 }, "B"))).data!.connectors.edges;
    const inflowOfB = (await gw.db.connector.findUniqueOrThrow({ where: { id: inflowConnectorOfB.id } })).name;
    expect(all.map((e) => e.node.name).sort()).toEqual(
      ["b-connector-1", "b-connector-2", "b-connector-3", "b-connector-4", inflowOfB].sort(),
    );
    const fromA = await withoutWrites(() => gw.gql(ConnectorsDocument, { first: 50, after: a.cursors.connector }, "B"));
    expect(fromA).toEqual(await gw.gql(ConnectorsDocument, { first: 50, after: withUnknownRow(a.cursors.connector) }, "B"));
    // B's first connector hears every event of B: its log has rows on both sides of A's delivery in time.
    const ofB = all.find((e) => e.node.name === "b-connector-1")!.node.id;
    const deliveriesOfB = (await gw.gql(ConnectorDocument, { id: ofB, first: 50 }, "B")).data!.connector!.deliveries.edges;
    const afterOwn = await gw.gql(ConnectorDocument, { id: ofB, first: 50, after: deliveriesOfB[0].cursor }, "B");
    expect(afterOwn.data!.connector!.deliveries.edges.length).toBeGreaterThan(0); // the control: resuming finds B's rows
    const afterA = await withoutWrites(() => gw.gql(ConnectorDocument, { id: ofB, first: 50, after: a.cursors.delivery }, "B"));
    expect(afterA).toEqual(await gw.gql(ConnectorDocument, { id: ofB, first: 50, after: withUnknownRow(a.cursors.delivery) }, "B"));
  });

  it("createConnector with A's connector name succeeds in B, and B's connector hears none of A's events", async () => {
    const before = await snapshotDatabase(gw.db, gw.tenants.A.id);
    const made = ok(
      (await gw.gql(CreateConnectorDocument, { input: connectorInput(a.connectorName) }, "B")).data!.createConnector,
      "CreateConnectorPayload",
    );
    expect(await snapshotDatabase(gw.db, gw.tenants.A.id)).toEqual(before);
    if (made.__typename !== "CreateConnectorPayload") return;
    ok(
      (await gw.gql(CreateCustomerDocument, { input: { emails: [{ address: "heard-by-a@a.example" }] } })).data!.createCustomer,
      "CreateCustomerPayload",
    );
    expect(await gw.db.connectorDelivery.count({ where: { connectorId: rowId(made.issued.connector.id) } })).toBe(0);
  });

  it("auditEventTypes answers every tenant the same catalog", async () => {
    const [ofA, ofB] = [await gw.gql(AuditEventTypesDocument, {}), await withoutWrites(() => gw.gql(AuditEventTypesDocument, {}, "B"))];
    expect(ofB.data).toEqual(ofA.data);
  });

  it("importJobs lists none of A's imports", async () => {
    const jobs = (await withoutWrites(() => gw.gql(ImportJobsDocument, {}, "B"))).data!.importJobs.edges;
    expect(jobs.map((e) => e.node.id)).not.toContain(a.importJob);
  });

  it("bulkJobs lists none of A's bulk-action jobs", async () => {
    const jobs = (await withoutWrites(() => gw.gql(BulkJobsDocument, {}, "B"))).data!.bulkJobs.edges;
    expect(jobs.map((e) => e.node.id)).not.toContain(a.bulkJob);
  });

  it("an import in B with A's uid and email creates B's own customer and leaves A untouched", async () => {
    const before = await snapshotDatabase(gw.db, gw.tenants.A.id);
    const file = join(tmpdir(), `b-import-${randomUUID()}.ndjson`);
    writeFileSync(file, JSON.stringify({ uid: a.uid, email: a.email }) + "\n");
    const job = await importNow(gw.serviceContext("B"), { path: file, name: "b.ndjson", temporary: true }, {});
    expect(job).toMatchObject({ status: "COMPLETED", imported: 1, failed: 0 });
    expect(await snapshotDatabase(gw.db, gw.tenants.A.id)).toEqual(before);
  });

  it("teamMembers lists the members granted in the caller's store: one granted only in A is not B's", async () => {
    const onlyA = await addMember(gw, undefined, ["A"]);
    const both = await addMember(gw, ["AUDIT_READ"], ["A", "B"]);
    const emails = async (tenant: "A" | "B") => (await gw.gql(TeamMembersDocument, {}, tenant)).data!.teamMembers.map((m) => m.email);
    expect(await emails("A")).toEqual(expect.arrayContaining([onlyA, both]));
    expect(await emails("B")).toContain(both);
    expect(await emails("B")).not.toContain(onlyA);
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
      ["myAccountInformation", () => asB(MyAccountInformationDocument, { format: "JSON" })],
      ["revokeMySession", () => asB(RevokeMySessionDocument, { id: a.session })],
      ["updateMyCustomObject", () => asB(UpdateMyCustomObjectDocument, { id: a.customObject, data: { secret: "overwritten" } })],
      ["deleteMyCustomObject", () => asB(DeleteMyCustomObjectDocument, { id: a.customObject })],
      ["enrollTotp", () => asB(EnrollTotpDocument, {})],
      ["removeMyAuthenticator", () => asB(RemoveMyAuthenticatorDocument, { authenticatorId: a.identity, code: "123456" })],
      ["setMySecurityAnswers", () => asB(SetMySecurityAnswersDocument, { answers: [{ questionId: a.securityQuestion, answer: "x" }] })],
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
