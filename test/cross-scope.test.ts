import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isEnumType,
  parse,
  type GraphQLField,
  type GraphQLObjectType,
} from "graphql";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { importNow } from "../src/imports/service.ts";
import { createCredential } from "../src/admin-auth/service.ts";
import type { AdminScope } from "../src/generated/prisma/enums.ts";
import { schema } from "../src/graphql/schema.ts";
import { ALL_SCOPES } from "../src/security/scopes.ts";
import { createSession } from "../src/sessions/service.ts";
import {
  ActivateConnectorDocument,
  CreateConnectorDocument,
  DeactivateConnectorDocument,
  DeleteConnectorDocument,
  ReplayDeliveryDocument,
  RotateConnectorSecretDocument,
  TestConnectorDocument,
  UpdateConnectorDocument,
  CreateCustomObjectDocument,
  CreateExportScheduleDocument,
  CreateSegmentDocument,
  CreateVerificationPolicyDocument,
  VerifyCustomerIdentityDocument,
  RevokeIdentityVerificationDocument,
  CreateSecurityQuestionDocument,
  SetSecurityAnswersDocument,
  DefineCustomFieldDocument,
  GrantConsentDocument,
  RunExportScheduleNowDocument,
  RunBulkActionDocument,
  UpdateCustomerNotifyDocument,
  UpdateCustomerDocument,
} from "./generated/graphql.ts";
import { drainBulkJobs } from "../src/bulk/worker.ts";
import { createApp } from "./helpers/notifications.ts";
import { PASSWORD, type As } from "./helpers/gateway.ts";
import { consoleHeaders } from "./helpers/console.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { globalId, rowId } from "./helpers/ids.ts";
import { expectNoWrites } from "./helpers/snapshot.ts";
import { seedAccess } from "./helpers/access.ts";
import { createInflowConnector, postSigned, type TestInflowConnector } from "./helpers/inflow-connectors.ts";

// Every path to every object type, for every scope set: the type decides who may read it, so
// root fields, node(id), nodes(ids), nested relations and subscriptions must all agree. The paths
// are generated from the schema, and the schema's object types must each have a rule below (or be
// a listed wrapper), so a type or relation added later is tried without anyone writing a case.

type Principal = { name: string; kind: "anonymous" | "customer" | "admin"; scopes: AdminScope[]; as: As };

const holds = (p: Principal, scope: AdminScope) =>
  p.scopes.includes(scope) ||
  (scope === "CUSTOMERS_READ" && p.scopes.includes("CUSTOMERS_WRITE")) ||
  (scope === "CONNECTORS_READ" && p.scopes.includes("CONNECTORS_MANAGE"));
const customerData = (p: Principal) => p.kind === "customer" || holds(p, "CUSTOMERS_READ");

/** Who may read each object type (the oracle: written here, not read from the implementation). */
const TYPE_RULES: Record<string, (p: Principal) => boolean> = {
  Customer: customerData,
  Identity: customerData,
  Session: customerData,
  Consent: customerData,
  CustomObject: customerData,
  Segment: (p) => holds(p, "CUSTOMERS_READ"),
  ImportJob: (p) => holds(p, "CUSTOMERS_READ"),
  ImportRowError: (p) => holds(p, "CUSTOMERS_READ"),
  Email: customerData,
  Phone: customerData,
  Address: customerData,
  Geo: customerData,
  AuditEvent: (p) => holds(p, "AUDIT_READ"),
  Actor: (p) => holds(p, "AUDIT_READ"),
  AuditChain: (p) => holds(p, "AUDIT_READ"),
  AuditCheckpoint: (p) => holds(p, "AUDIT_READ"),
  // Who acted in the console, as audit events name them: audit readers, and tenant admins (who grant the team).
  TeamMember: (p) => holds(p, "AUDIT_READ") || holds(p, "TENANT_ADMIN"),
  AdminCredential: (p) => holds(p, "TENANT_ADMIN"),
  Tenant: (p) => p.kind === "admin",
  IssuedAdminCredential: (p) => holds(p, "TENANT_ADMIN"),
  IssuedOneTimeToken: (p) => holds(p, "CUSTOMERS_WRITE"),
  AccountInformationDocument: customerData,
  // The tenant's customer data schema: who reads customers, and the tenant admins who define it.
  CustomFieldDefinition: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  // A download link of customer data: what reading customers allows.
  CustomerExportLink: (p) => holds(p, "CUSTOMERS_READ"),
  // Managed by tenant admins, listed (and downloaded: ExportFile.downloadUrl's own rule) by who reads customers.
  ExportSchedule: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  ExportFile: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  // Connectors and their delivery log (the payload and the customer need CUSTOMERS_READ as well: their own field rules).
  Connector: (p) => holds(p, "CONNECTORS_READ"),
  ConnectorDelivery: (p) => holds(p, "CONNECTORS_READ"),
  DeliveryAttempt: (p) => holds(p, "CONNECTORS_READ"),
  // A connector's secret, answered by create and rotate only.
  IssuedConnectorSecret: (p) => holds(p, "CONNECTORS_MANAGE"),
  // The catalog of event types: no tenant data.
  AuditEventTypeInfo: (p) => p.kind === "admin",
  // Cloud connectors and their logs.
  InflowRequest: (p) => holds(p, "CONNECTORS_READ"),
  InflowFieldError: (p) => holds(p, "CONNECTORS_READ"),
  // A customer's authenticators: what reading the customer allows (Customer.authenticators, me.authenticators).
  PasswordAuthenticator: customerData,
  EmailAuthenticator: customerData,
  PhoneAuthenticator: customerData,
  TotpAuthenticator: customerData,
  RecoveryCodesAuthenticator: customerData,
  ExternalAuthenticator: customerData,
  // Secrets and recovery codes: answered to the customer enrolling, never to staff.
  TotpEnrollment: (p) => p.kind === "customer",
  RecoveryCodes: (p) => p.kind === "customer",
  // signIn's second-step answer: to whoever knew the password.
  MfaRequired: () => true,
  // Groups, organizations, roles and role pairs: defined by tenant admins, read by who reads customers.
  Group: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  Organization: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  Role: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  RoleAssignment: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  // Bulk actions: which customers an action reached is for who may run them.
  BulkActionJob: (p) => holds(p, "CUSTOMERS_WRITE"),
  BulkActionFailure: (p) => holds(p, "CUSTOMERS_WRITE"),
  BulkActionOutcome: (p) => holds(p, "CUSTOMERS_WRITE"),
  // Applications: read by who reads customers (to notify through one), managed by tenant admins.
  Application: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  ApplicationBranding: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  NotificationTemplate: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  // The notification delivery log: customer data, admins only.
  Notification: (p) => holds(p, "CUSTOMERS_READ"),
  NotificationAttempt: (p) => holds(p, "CUSTOMERS_READ"),
  // Identity verification: policies are defined by tenant admins and read by who reads customers;
  // verifications (notes, admin names) are staff data.
  VerificationPolicy: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  IdentityVerification: (p) => holds(p, "CUSTOMERS_READ"),
  AdminActor: (p) => holds(p, "CUSTOMERS_READ"),
  // Impersonation: the token is answered to CUSTOMERS_IMPERSONATE only; who impersonates is the token holder's to read.
  ImpersonationToken: (p) => holds(p, "CUSTOMERS_IMPERSONATE"),
  // Security questions: the tenant's catalogue, for who reads customers, tenant admins and customers (who answer them).
  SecurityQuestion: (p) => p.kind === "customer" || holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  SecurityAnswer: customerData,
  // A recovery page's question list: public with X-Tenant (which the anonymous principal here does not send).
  RecoveryQuestion: (p) => p.kind !== "anonymous",
  Impersonator: (p) => p.kind === "customer",
};

/** Root fields whose rule differs from their type's (it replaces the type's rule on that path). */
const ROOT_RULES: Record<string, (p: Principal) => boolean> = {
  me: (p) => p.kind === "customer",
  myAccountInformation: (p) => p.kind === "customer",
  accountInformation: (p) => holds(p, "CUSTOMERS_READ"),
  currentAdmin: (p) => p.kind === "admin", // a credential may always read itself
  customer: (p) => holds(p, "CUSTOMERS_READ"),
  customerByUid: (p) => holds(p, "CUSTOMERS_READ"),
  customerByEmail: (p) => holds(p, "CUSTOMERS_READ"),
  customerByUsername: (p) => holds(p, "CUSTOMERS_READ"),
  customerByPhone: (p) => holds(p, "CUSTOMERS_READ"),
  customers: (p) => holds(p, "CUSTOMERS_READ"),
  customObject: (p) => holds(p, "CUSTOMERS_READ"),
  customObjects: (p) => holds(p, "CUSTOMERS_READ"),
  segment: (p) => holds(p, "CUSTOMERS_READ"),
  segments: (p) => holds(p, "CUSTOMERS_READ"),
  group: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  groups: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  organization: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  organizations: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  role: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  roles: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  exportSchedules: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  importJob: (p) => holds(p, "CUSTOMERS_READ"),
  importJobs: (p) => holds(p, "CUSTOMERS_READ"),
  bulkJob: (p) => holds(p, "CUSTOMERS_WRITE"),
  bulkJobs: (p) => holds(p, "CUSTOMERS_WRITE"),
  connector: (p) => holds(p, "CONNECTORS_READ"),
  connectors: (p) => holds(p, "CONNECTORS_READ"),
  auditEventTypes: (p) => p.kind === "admin",
  inflowRequests: (p) => holds(p, "CONNECTORS_READ"),
  application: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  applications: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  notification: (p) => holds(p, "CUSTOMERS_READ"),
  notifications: (p) => holds(p, "CUSTOMERS_READ"),
  verificationPolicy: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  verificationPolicies: (p) => holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  securityQuestions: (p) => p.kind === "customer" || holds(p, "CUSTOMERS_READ") || holds(p, "TENANT_ADMIN"),
  recoveryQuestions: (p) => p.kind !== "anonymous",
};

/** Object types that only wrap guarded ones (payloads, connections, errors) and carry no data of their own. */
const isWrapper = (name: string) =>
  /(Payload|Connection|Edge|Error|Result)$/.test(name) ||
  ["PageInfo", "ValidationIssue", "Query", "Mutation", "Subscription"].includes(name);

const gw = useTestGateway({ env: { CONNECTOR_WORKER_INTERVAL_MS: "0" } });
const principals: Principal[] = [];
const ids: Record<string, string> = {};
const CONNECTOR = { direction: "OUTFLOW" as const, name: "scoped", url: "https://crm.example/hooks", events: ["customer.*"] };
let inflowConnector: TestInflowConnector;
const ada = { uid: "ada-scope", email: "ada@scope.example", phone: "+4915111111111", username: "ada-scope" };
/** Arguments for fields that need them; a root or nested field with a required argument not here fails the coverage test. */
const ARGS: Record<string, () => string> = {
  "Query.customer": () => `(id: "${ids.Customer}")`,
  "Query.accountInformation": () => `(customerId: "${ids.Customer}")`,
  "Query.customerByUid": () => `(value: "${ada.uid}")`,
  "Query.customerByEmail": () => `(value: "${ada.email}")`,
  "Query.customerByUsername": () => `(value: "${ada.username}")`,
  "Query.customerByPhone": () => `(value: "${ada.phone}")`,
  "Query.customObject": () => `(id: "${ids.CustomObject}")`,
  "Query.customObjects": () => `(name: "wishlist")`,
  "Query.segment": () => `(id: "${ids.Segment}")`,
  "Query.group": () => `(id: "${ids.Group}")`,
  "Query.organization": () => `(id: "${ids.Organization}")`,
  "Query.role": () => `(id: "${ids.Role}")`,
  "Query.importJob": () => `(id: "${ids.ImportJob}")`,
  "Query.bulkJob": () => `(id: "${ids.BulkActionJob}")`,
  "Query.connector": () => `(id: "${ids.Connector}")`,
  "Query.inflowRequests": () => `(connectorId: "${inflowConnector.globalId}")`,
  "Query.application": () => `(id: "${ids.Application}")`,
  "Query.notification": () => `(id: "${ids.Notification}")`,
  "Query.verificationPolicy": () => `(id: "${ids.VerificationPolicy}")`,
};

/**
 * Paths whose value is legitimately null for every fixture principal the type admits: still
 * refused to everyone else, and without errors for those it admits. Customer.impersonatedBy is null
 * for the customer's own token (test/impersonation.test.ts reads it under an impersonation token).
 */
const NULL_WHEN_ALLOWED = new Set(["node(Customer).impersonatedBy"]);

/** The parent a nested field is read on when it is not the type's fixture node (an inflow connector's requests). */
const PARENT_IDS: Record<string, () => string> = {
  "Connector.inflowRequests": () => inflowConnector.globalId,
};

beforeAll(async () => {
  // First, so that the customer's creation queues a delivery for it.
  const connector = (await gw.gql(CreateConnectorDocument, { input: CONNECTOR })).data!.createConnector;
  if (connector.__typename === "CreateConnectorPayload") ids.Connector = connector.issued.connector.id;
  const customer = await gw.createCustomer({
    uid: ada.uid,
    username: ada.username,
    firstName: "Ada",
    emails: [{ address: ada.email }],
    phones: [{ number: ada.phone }],
    addresses: [{ city: "London", country: "GB" }],
    identities: [{ provider: "google", providerUserId: "g-ada-scope" }],
  });
  ids.Customer = customer.id;
  await gw.setPassword(customer.id);
  const object = (await gw.gql(CreateCustomObjectDocument, { customerId: customer.id, name: "wishlist", data: { n: 1 } })).data!
    .createCustomObject;
  if (object.__typename === "CreateCustomObjectPayload") ids.CustomObject = object.customObject.id;
  const consent = (
    await gw.gql(GrantConsentDocument, { customerId: customer.id, input: { purpose: "terms", version: "1", source: "test" } })
  ).data!.grantConsent;
  if (consent.__typename === "GrantConsentPayload") ids.Consent = consent.consent.id;
  const admin = gw.serviceContext("A");
  const session = await createSession(admin, rowId(customer.id), { userAgent: "curl/8.4.0", geo: { country: "GB", city: "London" } });
  ids.Session = globalId("Session", session.id);
  const signedIn = await gw.signIn(ada.email, PASSWORD);
  ids.Identity = globalId("Identity", (await gw.db.identity.findFirstOrThrow({ where: { customerId: rowId(customer.id) } })).id);
  ids.AdminCredential = globalId("AdminCredential", gw.tenants.A.credentialId);
  const segment = (await gw.gql(CreateSegmentDocument, { input: { name: "scoped", filter: { email: { equals: ada.email } } } })).data!
    .createSegment;
  if (segment.__typename === "CreateSegmentPayload") ids.Segment = segment.segment.id;
  // ada in a group and an organization, holding a role for it: every nested list has a row.
  const access = await seedAccess(gw, "A", customer.id, "scope");
  Object.assign(ids, { Group: access.group, Organization: access.organization, Role: access.role, RoleAssignment: access.roleAssignment });
  const policy = (await gw.gql(CreateVerificationPolicyDocument, { input: { name: "scoped", methods: ["IN_PERSON"] } })).data!
    .createVerificationPolicy;
  if (policy.__typename === "CreateVerificationPolicyPayload") ids.VerificationPolicy = policy.verificationPolicy.id;
  const verification = (
    await gw.gql(VerifyCustomerIdentityDocument, {
      customerId: customer.id,
      input: { policyId: ids.VerificationPolicy, method: "IN_PERSON", note: "scoped" },
    })
  ).data!.verifyCustomerIdentity;
  if (verification.__typename === "VerifyCustomerIdentityPayload") ids.IdentityVerification = verification.identityVerification.id;
  // Revoked, so that revokedBy (null while it stands) has a value to read.
  await gw.gql(RevokeIdentityVerificationDocument, { id: ids.IdentityVerification, reason: "scoped" });
  const question = (await gw.gql(CreateSecurityQuestionDocument, { text: "Scoped question?" })).data!.createSecurityQuestion;
  if (question.__typename === "CreateSecurityQuestionPayload") ids.SecurityQuestion = question.securityQuestion.id;
  await gw.gql(SetSecurityAnswersDocument, { customerId: customer.id, answers: [{ questionId: ids.SecurityQuestion, answer: "scoped" }] });
  // The seeded event is a console action, so AuditEvent.teamMember has a team member to answer.
  await gw.gql(UpdateCustomerDocument, { id: customer.id, input: { nickname: "console" } }, { headers: await consoleHeaders(gw) });
  const event = await gw.db.auditEvent.findFirstOrThrow({ where: { customerId: rowId(customer.id) }, orderBy: { seq: "desc" } });
  if (!event.teamMemberId) throw new Error("the console update was not recorded");
  ids.AuditEvent = globalId("AuditEvent", event.id);
  const field = (await gw.gql(DefineCustomFieldDocument, { input: { key: "plan", type: "STRING" } })).data!.defineCustomField;
  if (field.__typename === "DefineCustomFieldPayload") ids.CustomFieldDefinition = field.customField.id;
  const schedule = (await gw.gql(CreateExportScheduleDocument, { input: { name: "scoped", cron: "@daily", timeZone: "UTC" } })).data!
    .createExportSchedule;
  if (schedule.__typename === "CreateExportSchedulePayload") ids.ExportSchedule = schedule.exportSchedule.id;
  const file = (await gw.gql(RunExportScheduleNowDocument, { id: ids.ExportSchedule })).data!.runExportScheduleNow;
  if (file.__typename === "RunExportScheduleNowPayload") ids.ExportFile = file.exportFile.id;

  const delivery = await gw.db.connectorDelivery.findFirstOrThrow({
    where: { connectorId: rowId(ids.Connector), customerId: rowId(customer.id) },
  });
  const attempt = { deliveryId: delivery.id, tenantId: gw.tenants.A.id, number: 1, startedAt: new Date(), durationMs: 5, statusCode: 503 };
  await gw.db.deliveryAttempt.create({ data: attempt });
  ids.ConnectorDelivery = globalId("ConnectorDelivery", delivery.id);

  // The customer is a member of the organization (seedAccess): only its applications may notify them.
  const application = await createApp(gw, {
    name: "scoped",
    organizationId: access.organization,
    branding: { displayName: "Scoped" },
    templates: [{ kind: "PASSWORD_CHANGED", subject: "s", text: "t" }],
  });
  ids.Application = application.id;
  const notify = { application: application.id };
  await gw.gql(UpdateCustomerNotifyDocument, { id: customer.id, input: { lastName: "Scoped" }, notify });
  const notification = await gw.db.notification.findFirstOrThrow({ where: { customerId: rowId(customer.id) } });
  await gw.db.notificationAttempt.create({
    data: { tenantId: gw.tenants.A.id, notificationId: notification.id, number: 1, ok: false, detail: "451", durationMs: 3 },
  });
  ids.Notification = globalId("Notification", notification.id);

  const importFile = join(tmpdir(), `scope-import-${randomUUID()}.ndjson`);
  writeFileSync(importFile, `{"uid":"scope-imported","email":"imported@scope.example"}\n{"email":"broken"}\n`);
  ids.ImportJob = globalId("ImportJob", (await importNow(admin, { path: importFile, name: "scope.ndjson", temporary: true }, {})).id);

  // A bulk job over unknown customers: it changes nothing and has failures to read.
  const unknown = Array.from({ length: 101 }, () => globalId("Customer", randomUUID()));
  const bulk = (await gw.gql(RunBulkActionDocument, { input: { action: "ENABLE", selection: { ids: unknown } } })).data!.runBulkAction;
  if (bulk.__typename === "RunBulkActionPayload" && bulk.run.__typename === "BulkActionJob") ids.BulkActionJob = bulk.run.id;
  await drainBulkJobs({ db: gw.db, events: gw.app.events, batchSize: 100, leaseMs: 60_000 });

  inflowConnector = await createInflowConnector(gw);
  const fetcher = (url: string, init: RequestInit) => gw.app.yoga.fetch(url, init);
  const inflow = await postSigned(`http://gateway.test/connectors/inflow/${inflowConnector.id}`, inflowConnector, {}, { fetcher });
  expect(inflow.status).toBe(422); // a REJECTED request has field errors to read
  ids.InflowRequest = globalId(
    "InflowRequest",
    (await gw.db.inflowRequest.findFirstOrThrow({ where: { connectorId: inflowConnector.id } })).id,
  );

  principals.push({ name: "anonymous", kind: "anonymous", scopes: [], as: "anonymous" });
  principals.push({ name: "the customer's own token", kind: "customer", scopes: [], as: { bearer: signedIn.accessToken } });
  // Every set of one or two scopes, every set of all scopes but one, and all of them. Each rule is
  // a scope, an implication (WRITE → READ, MANAGE → READ) or an OR of two, so these sets reach
  // every outcome a rule can have; all 2^n sets (127 at seven scopes) cost minutes and find nothing more.
  for (let mask = 1; mask < 1 << ALL_SCOPES.length; mask++) {
    const size = ALL_SCOPES.filter((_, i) => mask & (1 << i)).length;
    if (size > 2 && size < ALL_SCOPES.length - 1) continue;
    const scopes = ALL_SCOPES.filter((_, i) => mask & (1 << i));
    const { credential, secret } = await createCredential(admin, { name: `scopes ${mask}`, scopes });
    principals.push({
      name: `admin with ${scopes.join("+")}`,
      kind: "admin",
      scopes,
      as: { headers: { "x-api-key": credential.keyId, "x-api-secret": secret } },
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Paths, generated from the schema

interface Path {
  /** e.g. "Query.customer", "node(Session).customer" */
  name: string;
  query: string;
  /** Where the guarded value sits in `data`. */
  at: string[];
  /** Every rule a principal must pass to read it. */
  rules: ((p: Principal) => boolean)[];
}

const objectTypes = () =>
  Object.values(schema.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith("__"));

/** The guarded type a field leads to (through a connection's edges.node), or null. */
function guardedTarget(field: GraphQLField<unknown, unknown>): { type: GraphQLObjectType; connection: boolean } | null {
  const named = getNamedType(field.type);
  if (!isObjectType(named)) return null;
  if (TYPE_RULES[named.name]) return { type: named, connection: false };
  const node = named.name.endsWith("Connection") ? getNamedType(named.getFields().edges?.type) : null;
  const target = node && isObjectType(node) ? getNamedType(node.getFields().node?.type) : null;
  return target && isObjectType(target) && TYPE_RULES[target.name] ? { type: target, connection: true } : null;
}

/** Every field of `type` a principal may be refused or answered on: scalars without a field rule of their own. */
function selection(type: GraphQLObjectType): string {
  const plain = Object.values(type.getFields()).filter((f) => {
    const options = f.extensions?.pothosOptions as { authScopes?: unknown } | undefined;
    const named = getNamedType(f.type);
    return !options?.authScopes && (isScalarType(named) || isEnumType(named)) && f.args.every((a) => a.type.toString().slice(-1) !== "!");
  });
  return ["__typename", ...plain.map((f) => f.name)].join(" ");
}

function requiredArgs(key: string, field: GraphQLField<unknown, unknown>): string {
  const required = field.args.filter((a) => a.type.toString().endsWith("!") && a.defaultValue === undefined);
  if (required.length === 0) return ARGS[key]?.() ?? "";
  const args = ARGS[key];
  if (!args) throw new Error(`${key} has required arguments: add them to ARGS`);
  return args();
}

function wrap(target: { type: GraphQLObjectType; connection: boolean }) {
  const inner = `{ ${selection(target.type)} }`;
  return target.connection ? { sel: `{ edges { node ${inner} } }`, at: ["edges", "0", "node"] } : { sel: inner, at: [] };
}

function generatePaths(): Path[] {
  const paths: Path[] = [];
  const query = schema.getQueryType()!;
  for (const field of Object.values(query.getFields())) {
    if (field.name === "node" || field.name === "nodes") continue;
    const target = guardedTarget(field);
    if (!target) continue;
    const { sel, at } = wrap(target);
    const rules = [ROOT_RULES[field.name] ?? TYPE_RULES[target.type.name]];
    paths.push({
      name: `Query.${field.name}`,
      query: `{ r: ${field.name}${requiredArgs(`Query.${field.name}`, field)} ${sel} }`,
      at: ["r", ...at],
      rules,
    });
  }
  for (const parent of objectTypes()) {
    const rule = TYPE_RULES[parent.name];
    if (!rule || !parent.getInterfaces().some((i) => i.name === "Node")) continue;
    const id = ids[parent.name];
    if (!id) throw new Error(`no fixture id for node type ${parent.name}`);
    paths.push({
      name: `node(${parent.name})`,
      query: `{ r: node(id: "${id}") { ... on ${parent.name} { ${selection(parent)} } } }`,
      at: ["r"],
      rules: [rule],
    });
    for (const field of Object.values(parent.getFields())) {
      const target = guardedTarget(field);
      if (!target) continue;
      const { sel, at } = wrap(target);
      const args = requiredArgs(`${parent.name}.${field.name}`, field);
      const parentId = PARENT_IDS[`${parent.name}.${field.name}`]?.() ?? id;
      paths.push({
        name: `node(${parent.name}).${field.name}`,
        query: `{ r: node(id: "${parentId}") { ... on ${parent.name} { id f: ${field.name}${args} ${sel} } } }`,
        at: ["r", "f", ...at],
        rules: [rule, TYPE_RULES[target.type.name]],
      });
    }
    // Lists of an interface whose every implementation has a rule (Customer.authenticators): one path
    // selecting each implementation; the first element answers under its own type's rule.
    for (const field of Object.values(parent.getFields())) {
      const named = getNamedType(field.type);
      if (!isInterfaceType(named)) continue;
      const impls = schema.getPossibleTypes(named);
      if (impls.length === 0 || !impls.every((t) => TYPE_RULES[t.name])) continue;
      const sel = impls.map((t) => `... on ${t.name} { ${selection(t)} }`).join(" ");
      paths.push({
        name: `node(${parent.name}).${field.name}`,
        query: `{ r: node(id: "${id}") { ... on ${parent.name} { id f: ${field.name} { __typename ${sel} } } } }`,
        at: ["r", "f", "0"],
        rules: [rule, ...impls.map((t) => TYPE_RULES[t.name])],
      });
    }
    // Objects reached only through a non-node object (Session.geo, AuditEvent.actor…) are covered
    // above as fields of their node parent; deeper value objects would need a path here.
  }
  return paths;
}

const dig = (data: unknown, at: string[]) => at.reduce<unknown>((v, k) => (v == null ? v : (v as Record<string, unknown>)[k]), data);

async function send(p: Principal, query: string) {
  return gw.gql(parse(query) as never, {}, p.as) as Promise<{
    data?: unknown;
    errors?: { extensions?: { code?: string } }[];
    status: number;
  }>;
}

const REFUSAL_CODES = ["FORBIDDEN", "UNAUTHENTICATED"];

describe("every path to every type, with every telling scope set", () => {
  it("answers a principal the type admits and refuses everyone else, on every generated path", async () => {
    const paths = generatePaths();
    expect(paths.length).toBeGreaterThan(25);
    const wrong: string[] = [];
    for (const path of paths) {
      for (const p of principals) {
        const res = await send(p, path.query);
        const value = dig(res.data, path.at);
        const allowed = path.rules.every((rule) => rule(p));
        const codes = (res.errors ?? []).map((e) => e.extensions?.code ?? "none");
        if (allowed && ((value == null && !NULL_WHEN_ALLOWED.has(path.name)) || codes.length > 0))
          wrong.push(`${path.name} should answer ${p.name}: ${JSON.stringify(res).slice(0, 300)}`);
        if (!allowed && (value != null || codes.some((c) => !REFUSAL_CODES.includes(c)))) {
          wrong.push(`${path.name} should refuse ${p.name}: ${JSON.stringify(res).slice(0, 300)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // Every path × every telling scope set (36 credentials): more than the default minute under load.
  }, 300_000);

  it("answers nodes(ids) element by element: each id per its own type's rule", async () => {
    const nodeTypes = Object.keys(ids);
    const query = `{ nodes(ids: ${JSON.stringify(nodeTypes.map((t) => ids[t]))}) { __typename id } }`;
    for (const p of principals) {
      const res = await send(p, query);
      const nodes = (res.data as { nodes?: ({ __typename: string } | null)[] } | null)?.nodes ?? nodeTypes.map(() => null);
      nodeTypes.forEach((type, i) => {
        expect(nodes[i] != null, `nodes[${type}] for ${p.name}: ${JSON.stringify(res).slice(0, 300)}`).toBe(TYPE_RULES[type](p));
      });
    }
  });

  it("refuses the auditEvents subscription when it subscribes, ending the stream at once, unless the credential holds AUDIT_READ", async () => {
    for (const p of principals) {
      const headers =
        typeof p.as === "string" ? {} : { ...p.as.headers, ...(p.as.bearer ? { authorization: `Bearer ${p.as.bearer}` } : {}) };
      // No `after`: nothing to replay, so only the authorization check can answer before an event.
      const response = await gw.app.yoga.fetch("http://gateway.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream", ...headers },
        body: JSON.stringify({ query: "subscription { auditEvents { type } }" }),
      });
      const reader = response.body!.getReader();
      const deadline = Date.now() + 500;
      let text = "";
      let ended = false;
      while (!ended && Date.now() < deadline) {
        const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
        if (next === null) break;
        if (next.done) ended = true;
        else text += new TextDecoder().decode(next.value);
      }
      await reader.cancel();
      if (holds(p, "AUDIT_READ")) {
        expect(ended, `${p.name}: an authorized subscription stays open`).toBe(false);
        expect(text, p.name).not.toContain('"errors"');
      } else {
        expect(ended, `${p.name}: ${text}`).toBe(true);
        expect(text, p.name).toMatch(/"code":"(FORBIDDEN|UNAUTHENTICATED)"/);
      }
    }
  }, 300_000);
});

describe("connector mutations", () => {
  it("answer only credentials holding CONNECTORS_MANAGE, and write nothing for the others", async () => {
    const attempts = {
      createConnector: () => [CreateConnectorDocument, { input: { ...CONNECTOR, name: "refused" } }] as const,
      updateConnector: () => [UpdateConnectorDocument, { id: ids.Connector, input: { name: "renamed" } }] as const,
      deactivateConnector: () => [DeactivateConnectorDocument, { id: ids.Connector }] as const,
      activateConnector: () => [ActivateConnectorDocument, { id: ids.Connector }] as const,
      rotateConnectorSecret: () => [RotateConnectorSecretDocument, { id: ids.Connector }] as const,
      replayDelivery: () => [ReplayDeliveryDocument, { id: ids.ConnectorDelivery }] as const,
      testConnector: () => [TestConnectorDocument, { id: ids.Connector }] as const,
      deleteConnector: () => [DeleteConnectorDocument, { id: ids.Connector }] as const,
    };
    // Everyone without it: anonymous, a customer, CONNECTORS_READ alone, and every other scope at once.
    const others = ALL_SCOPES.filter((s) => s !== "CONNECTORS_MANAGE");
    const refused = principals.filter(
      (p) =>
        p.kind !== "admin" ||
        p.scopes.join() === "CONNECTORS_READ" ||
        (p.scopes.length === others.length && !holds(p, "CONNECTORS_MANAGE")),
    );
    expect(refused).toHaveLength(4);
    await expectNoWrites(gw.db, async () => {
      for (const [field, attempt] of Object.entries(attempts)) {
        for (const p of refused) {
          const [doc, variables] = attempt();
          const res = await gw.gql(doc as never, variables as never, p.as);
          const expected = p.kind === "anonymous" ? "UNAUTHENTICATED" : "FORBIDDEN";
          expect(
            res.errors?.map((e) => e.extensions?.code),
            `${field} for ${p.name}`,
          ).toEqual([expected]);
        }
      }
    });
    // The control: CONNECTORS_MANAGE alone may.
    const manager = principals.find((p) => p.scopes.join() === "CONNECTORS_MANAGE")!;
    const [doc, variables] = attempts.deactivateConnector();
    expect((await gw.gql(doc, variables, manager.as)).data!.deactivateConnector).toMatchObject({ connector: { active: false } });
  });
});

describe("coverage of the schema", () => {
  it("has a read rule for every object type that is not a wrapper", () => {
    const unruled = objectTypes()
      .filter((t) => !isWrapper(t.name) && !TYPE_RULES[t.name])
      .map((t) => t.name);
    expect(unruled, "a new object type: give it authScopes (src/graphql/policies.ts) and a rule in TYPE_RULES").toEqual([]);
  });

  it("declares every rule on the type itself (Pothos authScopes on the object type)", () => {
    const undeclared = Object.keys(TYPE_RULES).filter((name) => {
      const type = schema.getType(name);
      const options = (type?.extensions as { pothosOptions?: { authScopes?: unknown } } | undefined)?.pothosOptions;
      return !options?.authScopes;
    });
    expect(undeclared).toEqual([]);
  });

  it("has a rule for every root query field that returns a guarded type", () => {
    const fields = Object.values(schema.getQueryType()!.getFields()).filter((f) => guardedTarget(f) && !["node", "nodes"].includes(f.name));
    const unruled = fields.filter(
      (f) =>
        !ROOT_RULES[f.name] &&
        !["adminCredentials", "auditChain", "auditEvents", "currentTenant", "customFieldDefinitions", "teamMembers"].includes(f.name),
    );
    expect(
      unruled.map((f) => f.name),
      "a new root field: add its rule to ROOT_RULES (or list it as decided by its type)",
    ).toEqual([]);
  });
});
