import { randomUUID } from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { ExecutionResult } from "graphql";
import { beforeAll } from "vitest";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importNow } from "../../src/imports/service.ts";
import { createSession } from "../../src/sessions/service.ts";
import {
  UpdateCustomerNotifyDocument,
  CreateVerificationPolicyDocument,
  ImpersonateCustomerDocument,
  CreateSecurityQuestionDocument,
  VerifyCustomerIdentityDocument,
  AuditEventsDocument,
  BlockCustomerDocument,
  CreateAdminCredentialDocument,
  CreateCustomObjectDocument,
  CreateCustomerDocument,
  CrossTenantAdminCredentialsDocument,
  DefineCustomFieldDocument,
  CrossTenantCustomerConnectionsDocument,
  CreateSegmentDocument,
  CreateExportScheduleDocument,
  CreateConnectorDocument,
  ConnectorDocument,
  ConnectorsDocument,
  RunExportScheduleNowDocument,
  DisableCustomerDocument,
  GrantConsentDocument,
  InflowRequestsDocument,
  LinkIdentityDocument,
  SegmentsDocument,
  RunBulkActionDocument,
} from "../generated/graphql.ts";
import { globalId, rowId } from "../helpers/ids.ts";
import { seedAccess, type AccessIds } from "../helpers/access.ts";
import { createApp } from "../helpers/notifications.ts";
import { expectNoWrites } from "../helpers/snapshot.ts";
import { createInflowConnector, postSigned, type TestInflowConnector } from "../helpers/inflow-connectors.ts";
import { useTestGateway, type SuiteGateway } from "../helpers/suite.ts";

// Tenant B's admin credential (all scopes) against tenant A's data. Every root field that takes an
// id or identifier is called with A's (ids.test.ts): queries must answer null or an empty list,
// mutations a typed *_NOT_FOUND, and not a single row anywhere may change. Root fields that take
// no id are allow-listed in cases.ts, each with a check that B cannot see A's data through it
// (without-ids.test.ts); coverage.test.ts compares the schema's root fields with these lists, so
// a field added later cannot go unchecked. This file holds the data every one of them starts from.

/** The gateway of the file that called useCrossTenantData(). */
export let gw: SuiteGateway;

/** Tenant A's data, as global IDs and the identifiers B tries. */
export const a = {
  customer: "",
  blockedCustomer: "",
  disabledCustomer: "",
  identity: "",
  session: "",
  consent: "",
  customObject: "",
  segment: "",
  credential: "",
  auditEvent: "",
  customField: "",
  exportSchedule: "",
  exportFile: "",
  importJob: "",
  bulkJob: "",
  connector: "",
  delivery: "",
  application: "",
  notification: "",
  connectorName: "a-crm",
  group: "",
  organization: "",
  role: "",
  roleAssignment: "",
  inflowConnector: "",
  inflowRequest: "",
  verificationPolicy: "",
  identityVerification: "",
  impersonationSession: "",
  securityQuestion: "",
  questionText: "A's secret question?",
  policyName: "a-kyc",
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
  segmentName: "a-secret-segment",
  /** Cursors of A's rows in A's own connections. */
  cursors: {
    identity: "",
    session: "",
    consent: "",
    history: "",
    customObject: "",
    credential: "",
    segment: "",
    connector: "",
    delivery: "",
    inflowRequest: "",
  },
};

/** Tenant B's own customer, for calls that mix B's customer with A's other ids. */
export let bobOfB = "";
/** Tenant B's own group, organization and role (bob holds the role for the organization), to mix with A's ids. */
export let accessOfB: AccessIds;
/** Tenant B's inflow connector: its log has requests received before A's and after. */
export let inflowConnectorOfB: TestInflowConnector;

export type Answer = ExecutionResult<Record<string, unknown>> & { status: number };

export async function created(res: Answer): Promise<string> {
  const payload = res.data?.createCustomer as { __typename: string; customer?: { id: string } };
  if (payload?.__typename !== "CreateCustomerPayload") throw new Error(`setup failed: ${JSON.stringify(res)}`);
  return payload.customer!.id;
}

export function ok<T extends { __typename: string }>(payload: T, typename: string): T {
  if (payload.__typename !== typename) throw new Error(`setup failed: ${JSON.stringify(payload)}`);
  return payload;
}

/** An outflow connector listening to every customer event (no worker runs in these files: deliveries stay queued). */
export const connectorInput = (name: string, events = ["customer.*"]) => ({
  direction: "OUTFLOW" as const,
  name,
  url: "https://crm.example/hooks",
  events,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A gateway on a fresh database holding tenant A's data (\`a\`) and tenant B's customer (\`bobOfB\`)
 * with rows on both sides of A's in every connection. Call it at the top of a test file.
 */
export function useCrossTenantData(): SuiteGateway {
  gw = useTestGateway({ env: { CONNECTOR_WORKER_INTERVAL_MS: "0" } });
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
      await postToB(n);
      const identity = { provider: "github", providerUserId: `bob-${n}` };
      ok((await gw.gql(LinkIdentityDocument, { customerId: bobOfB, identity }, "B")).data!.linkIdentity, "LinkIdentityPayload");
      await createSession(adminB, rowId(bobOfB), { userAgent: "curl/8.4.0" });
      const input = { purpose: purposesOfB[n - 1], version: "1", source: "b" };
      ok((await gw.gql(GrantConsentDocument, { customerId: bobOfB, input }, "B")).data!.grantConsent, "GrantConsentPayload");
      const object = { customerId: bobOfB, name: a.objectName, data: { owner: "b", n } };
      ok((await gw.gql(CreateCustomObjectDocument, object, "B")).data!.createCustomObject, "CreateCustomObjectPayload");
      const segment = { input: { name: `b-segment-${n}`, filter: { email: { contains: "@b.example" } } } };
      ok((await gw.gql(CreateSegmentDocument, segment, "B")).data!.createSegment, "CreateSegmentPayload");
      ok(
        (await gw.gql(CreateAdminCredentialDocument, { name: `b-${n}` }, "B")).data!.createAdminCredential,
        "CreateAdminCredentialPayload",
      );
      ok(
        (await gw.gql(CreateConnectorDocument, { input: connectorInput(`b-connector-${n}`, ["*"]) }, "B")).data!.createConnector,
        "CreateConnectorPayload",
      );
      await sleep(3);
    };
    inflowConnectorOfB = await createInflowConnector(gw, { tenant: "B", matchBy: "email" });
    const postToB = (n: number) =>
      postSigned(
        `http://gateway.test/connectors/inflow/${inflowConnectorOfB.id}`,
        inflowConnectorOfB,
        { email: "bob@b.example", nickname: `bob-${n}` },
        {
          fetcher: (url, init) => gw.app.yoga.fetch(url, init),
        },
      );
    bobOfB = await created(await gw.gql(CreateCustomerDocument, { input: { emails: [{ address: "bob@b.example" }] } }, "B"));
    accessOfB = await seedAccess(gw, "B", bobOfB);
    await rowsOfB(1);
    await rowsOfB(2);

    // Tenant A's connector first, so that A's customer mutations queue deliveries for it.
    const connector = ok(
      (await gw.gql(CreateConnectorDocument, { input: connectorInput(a.connectorName) })).data!.createConnector,
      "CreateConnectorPayload",
    );
    if (connector.__typename === "CreateConnectorPayload") a.connector = connector.issued.connector.id;

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
    Object.assign(a, await seedAccess(gw, "A", a.customer));
    a.blockedCustomer = await created(await gw.gql(CreateCustomerDocument, { input: { emails: [{ address: "blocked@a.example" }] } }));
    ok((await gw.gql(BlockCustomerDocument, { id: a.blockedCustomer, reason: "fraud check" })).data!.blockCustomer, "BlockCustomerPayload");
    a.disabledCustomer = await created(await gw.gql(CreateCustomerDocument, { input: { emails: [{ address: "disabled@a.example" }] } }));
    ok((await gw.gql(DisableCustomerDocument, { id: a.disabledCustomer })).data!.disableCustomer, "DisableCustomerPayload");
    const object = ok(
      (await gw.gql(CreateCustomObjectDocument, { customerId: a.customer, name: a.objectName, data: a.objectData })).data!
        .createCustomObject,
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

    const segment = ok(
      (await gw.gql(CreateSegmentDocument, { input: { name: a.segmentName, filter: { email: { equals: a.email } } } })).data!.createSegment,
      "CreateSegmentPayload",
    );
    if (segment.__typename === "CreateSegmentPayload") a.segment = segment.segment.id;
    a.cursors.segment = (await gw.gql(SegmentsDocument, { first: 1 })).data!.segments.edges[0].cursor;
    const schedule = ok(
      (await gw.gql(CreateExportScheduleDocument, { input: { name: "a-nightly", cron: "@daily", timeZone: "Europe/Paris" } })).data!
        .createExportSchedule,
      "CreateExportSchedulePayload",
    );
    if (schedule.__typename === "CreateExportSchedulePayload") a.exportSchedule = schedule.exportSchedule.id;
    const file = ok(
      (await gw.gql(RunExportScheduleNowDocument, { id: a.exportSchedule })).data!.runExportScheduleNow,
      "RunExportScheduleNowPayload",
    );
    if (file.__typename === "RunExportScheduleNowPayload") a.exportFile = file.exportFile.id;

    const policy = ok(
      (await gw.gql(CreateVerificationPolicyDocument, { input: { name: a.policyName, methods: ["IN_PERSON"] } })).data!
        .createVerificationPolicy,
      "CreateVerificationPolicyPayload",
    );
    if (policy.__typename === "CreateVerificationPolicyPayload") a.verificationPolicy = policy.verificationPolicy.id;
    const verification = ok(
      (
        await gw.gql(VerifyCustomerIdentityDocument, {
          customerId: a.customer,
          input: { policyId: a.verificationPolicy, method: "IN_PERSON", note: "id card" },
        })
      ).data!.verifyCustomerIdentity,
      "VerifyCustomerIdentityPayload",
    );
    if (verification.__typename === "VerifyCustomerIdentityPayload") a.identityVerification = verification.identityVerification.id;

    const impersonation = ok(
      (await gw.gql(ImpersonateCustomerDocument, { customerId: a.customer, reason: "a's support" })).data!.impersonateCustomer,
      "ImpersonateCustomerPayload",
    );
    if (impersonation.__typename === "ImpersonateCustomerPayload") a.impersonationSession = impersonation.impersonation.sessionId;

    const question = ok(
      (await gw.gql(CreateSecurityQuestionDocument, { text: a.questionText })).data!.createSecurityQuestion,
      "CreateSecurityQuestionPayload",
    );
    if (question.__typename === "CreateSecurityQuestionPayload") a.securityQuestion = question.securityQuestion.id;

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
    // A's custom-field definition of the key A's customer holds (B defines the same key for itself).
    const field = ok(
      (await gw.gql(DefineCustomFieldDocument, { input: { key: "plan", type: "STRING", searchable: true } })).data!.defineCustomField,
      "DefineCustomFieldPayload",
    );
    if (field.__typename === "DefineCustomFieldPayload") a.customField = field.customField.id;

    // A's delivery FAILED (replay would change it) and the connector with failures counted (activation would reset them).
    const delivery = await gw.db.connectorDelivery.findFirstOrThrow({
      where: { connectorId: rowId(a.connector) },
      orderBy: { eventSeq: "asc" },
    });
    await gw.db.connectorDelivery.update({ where: { id: delivery.id }, data: { status: "FAILED", attempts: 5 } });
    await gw.db.connector.update({ where: { id: rowId(a.connector) }, data: { consecutiveFailures: 3 } });

    // A's application and a notification sent through it (queued: no worker runs here).
    // Alice is a member of A's organization (seedAccess): only its applications may notify her (seed 002).
    a.application = (await createApp(gw, { name: "a-portal", organizationId: a.organization, branding: { displayName: "A portal" } })).id;
    const notify = { application: a.application };
    const notified = await gw.gql(UpdateCustomerNotifyDocument, { id: a.customer, input: { lastName: "Notified" }, notify });
    ok(notified.data!.updateCustomer, "UpdateCustomerPayload");
    a.notification = globalId("Notification", (await gw.db.notification.findFirstOrThrow({ where: { customerId: rowId(a.customer) } })).id);
    a.delivery = globalId("ConnectorDelivery", delivery.id);
    a.cursors.connector = (await gw.gql(ConnectorsDocument, { first: 1 })).data!.connectors.edges[0].cursor;
    a.cursors.delivery = (await gw.gql(ConnectorDocument, { id: a.connector, first: 1 })).data!.connector!.deliveries.edges[0].cursor;

    // An import of A with a row error (the CLI's path: the fixture gateway has no IMPORT_DIR).
    const importFile = join(tmpdir(), `a-import-${randomUUID()}.ndjson`);
    writeFileSync(importFile, `{"uid":"a-imported","email":"imported@a.example"}\n{"email":"broken"}\n`);
    a.importJob = globalId("ImportJob", (await importNow(adminA, { path: importFile, name: "a.ndjson", temporary: true }, {})).id);

    // A bulk job of A (queued: over one page of unknown customer ids, so it changes nothing when run).
    const unknownIds = Array.from({ length: 101 }, () => globalId("Customer", randomUUID()));
    const bulk = (await gw.gql(RunBulkActionDocument, { input: { action: "DISABLE", selection: { ids: unknownIds } } })).data!
      .runBulkAction;
    if (bulk.__typename === "RunBulkActionPayload" && bulk.run.__typename === "BulkActionJob") a.bulkJob = bulk.run.id;

    // A's inflow connector and one request it received.
    const inflow = await createInflowConnector(gw, { matchBy: "email" });
    a.inflowConnector = inflow.globalId;
    const inflowUrlOfA = `http://gateway.test/connectors/inflow/${inflow.id}`;
    const fetcher = (url: string, init: RequestInit) => gw.app.yoga.fetch(url, init);
    const applied = await postSigned(inflowUrlOfA, inflow, { email: a.email, nickname: "Countess" }, { fetcher });
    if (applied.status !== 200) throw new Error(`setup failed: ${JSON.stringify(applied)}`);
    const inflowLog = (await gw.gql(InflowRequestsDocument, { connectorId: a.inflowConnector, first: 1 })).data!.inflowRequests.edges;
    a.inflowRequest = inflowLog[0]!.node.id;
    a.cursors.inflowRequest = inflowLog[0]!.cursor;

    await rowsOfB(3);
    await rowsOfB(4);
  });
  return gw;
}

/** Runs \`act\` and proves every table of the database is unchanged afterwards. */
export const withoutWrites = <T>(act: () => Promise<T>): Promise<T> => expectNoWrites(gw.db, act);

/** The same connection cursor, pointing at a row id that exists nowhere. */
export const withUnknownRow = (cursor: string) =>
  Buffer.from(
    Buffer.from(cursor, "base64")
      .toString("utf8")
      .replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/, randomUUID()),
  ).toString("base64");

export const edgesOf = (connection: unknown) => (connection as { edges: unknown[] }).edges;

export const asB = <R, V extends Record<string, unknown>>(doc: TypedDocumentNode<R, V>, variables: V) =>
  gw.gql(doc, variables, "B") as unknown as Promise<Answer>;
