// The cases of test/cross-tenant/*.test.ts: every root field that takes an id or identifier of
// tenant A's data, and the allow-lists of those that take none (coverage.test.ts compares them
// with the schema's root fields).

import type { NotFoundCode } from "../../src/errors.ts";
import {
  AccountInformationDocument,
  AddEmailDocument,
  AddPhoneDocument,
  AuditEventsDocument,
  BlockCustomerDocument,
  CancelImportDocument,
  ImportJobDocument,
  BulkJobDocument,
  CancelBulkJobDocument,
  RunBulkActionDocument,
  InflowRequestsDocument,
  CreateCustomObjectDocument,
  CreateCustomerExportDocument,
  UpdateExportScheduleDocument,
  DeleteExportScheduleDocument,
  RunExportScheduleNowDocument,
  CrossTenantNodeDocument,
  CrossTenantNodesDocument,
  CustomObjectDocument,
  CustomerByEmailDocument,
  CustomerByPhoneDocument,
  CustomerByUidDocument,
  CustomerByUsernameDocument,
  CustomerDocument,
  DeleteCustomObjectDocument,
  RestoreCustomFieldDocument,
  RetireCustomFieldDocument,
  UpdateCustomFieldDocument,
  DeleteSegmentDocument,
  SegmentDocument,
  UpdateSegmentDocument,
  DeleteCustomerDocument,
  EraseCustomerDocument,
  DisableCustomerDocument,
  EnableCustomerDocument,
  GrantConsentDocument,
  IssueEmailVerificationTokenDocument,
  IssuePasswordResetTokenDocument,
  LinkIdentityDocument,
  RemoveEmailDocument,
  RemovePhoneDocument,
  RevokeAdminCredentialDocument,
  RevokeAllSessionsDocument,
  RevokeConsentDocument,
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
  ConnectorDocument,
  UpdateConnectorDocument,
  ActivateConnectorDocument,
  DeactivateConnectorDocument,
  DeleteConnectorDocument,
  RotateConnectorSecretDocument,
  TestConnectorDocument,
  ReplayDeliveryDocument,
  RemoveAuthenticatorDocument,
  ResetRecoveryCodesDocument,
  GroupDocument,
  OrganizationDocument,
  RoleDocument,
  UpdateGroupDocument,
  DeleteGroupDocument,
  AddGroupMembersDocument,
  RemoveGroupMembersDocument,
  UpdateOrganizationDocument,
  DeleteOrganizationDocument,
  AddOrganizationMembersDocument,
  RemoveOrganizationMembersDocument,
  UpdateRoleDocument,
  DeleteRoleDocument,
  AssignRoleDocument,
  UnassignRoleDocument,
  ApplicationDocument,
  NotificationByIdDocument,
  UpdateApplicationDocument,
  DeleteApplicationDocument,
  UpdateCustomerNotifyDocument,
  IssuePasswordResetTokenNotifyDocument,
  VerificationPolicyDocument,
  UpdateVerificationPolicyDocument,
  DeleteVerificationPolicyDocument,
  VerifyCustomerIdentityDocument,
  RevokeIdentityVerificationDocument,
  ImpersonateCustomerDocument,
  RevokeImpersonationDocument,
  RetireSecurityQuestionDocument,
  SetSecurityAnswersDocument,
} from "../generated/graphql.ts";
import { globalId, rowId } from "../helpers/ids.ts";
import { a, accessOfB, asB, bobOfB, edgesOf, gw, type Answer } from "./fixture.ts";

// ---------------------------------------------------------------------------------------------
// Root fields that take an id or identifier of A's data

/** A read that must find A's data with A's credential and nothing with B's. */
export interface QueryCase {
  field: string;
  what: string;
  send: (as: "A" | "B") => Promise<Answer>;
  /** What the answer reveals of A's data: null or [] when nothing. */
  reveals: (data: Record<string, unknown>) => unknown;
}

export const NODE_TYPES: Record<string, () => string> = {
  Customer: () => a.customer,
  Identity: () => a.identity,
  Session: () => a.session,
  Consent: () => a.consent,
  CustomObject: () => a.customObject,
  Segment: () => a.segment,
  AdminCredential: () => a.credential,
  AuditEvent: () => a.auditEvent,
  CustomFieldDefinition: () => a.customField,
  ExportSchedule: () => a.exportSchedule,
  ExportFile: () => a.exportFile,
  ImportJob: () => a.importJob,
  BulkActionJob: () => a.bulkJob,
  Connector: () => a.connector,
  ConnectorDelivery: () => a.delivery,
  InflowRequest: () => a.inflowRequest,
  Group: () => a.group,
  Organization: () => a.organization,
  Role: () => a.role,
  RoleAssignment: () => a.roleAssignment,
  Application: () => a.application,
  Notification: () => a.notification,
  VerificationPolicy: () => a.verificationPolicy,
  IdentityVerification: () => a.identityVerification,
  SecurityQuestion: () => a.securityQuestion,
};

export const QUERY_CASES: QueryCase[] = [
  {
    field: "verificationPolicy",
    what: "A's verification policy id",
    send: (as) => gw.gql(VerificationPolicyDocument, { id: a.verificationPolicy }, as),
    reveals: (d) => d.verificationPolicy,
  },
  {
    field: "customer",
    what: "A's customer id",
    send: (as) => gw.gql(CustomerDocument, { id: a.customer }, as),
    reveals: (d) => d.customer,
  },
  {
    field: "accountInformation",
    what: "A's customer id",
    send: (as) => gw.gql(AccountInformationDocument, { customerId: a.customer, format: "JSON" }, as),
    reveals: (d) => d.accountInformation,
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
  {
    field: "importJob",
    what: "A's import job id",
    send: (as) => gw.gql(ImportJobDocument, { id: a.importJob, errors: 10 }, as),
    reveals: (d) => d.importJob,
  },
  {
    field: "bulkJob",
    what: "A's bulk-action job id",
    send: (as) => gw.gql(BulkJobDocument, { id: a.bulkJob, failures: 10 }, as),
    reveals: (d) => d.bulkJob,
  },
  {
    field: "segment",
    what: "A's segment id",
    send: (as) => gw.gql(SegmentDocument, { id: a.segment, first: 10 }, as),
    reveals: (d) => d.segment,
  },
  {
    field: "connector",
    what: "A's connector id",
    send: (as) => gw.gql(ConnectorDocument, { id: a.connector, first: 10 }, as),
    reveals: (d) => d.connector,
  },
  { field: "group", what: "A's group id", send: (as) => gw.gql(GroupDocument, { id: a.group, first: 10 }, as), reveals: (d) => d.group },
  {
    field: "organization",
    what: "A's organization id",
    send: (as) => gw.gql(OrganizationDocument, { id: a.organization }, as),
    reveals: (d) => d.organization,
  },
  { field: "role", what: "A's role id", send: (as) => gw.gql(RoleDocument, { id: a.role }, as), reveals: (d) => d.role },
  {
    field: "application",
    what: "A's application id",
    send: (as) => gw.gql(ApplicationDocument, { id: a.application }, as),
    reveals: (d) => d.application,
  },
  {
    field: "notification",
    what: "A's notification id",
    send: (as) => gw.gql(NotificationByIdDocument, { id: a.notification }, as),
    reveals: (d) => d.notification,
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
    field: "inflowRequests",
    what: "A's inflow connector id",
    send: (as) => gw.gql(InflowRequestsDocument, { connectorId: a.inflowConnector, first: 50 }, as),
    reveals: (d) => edgesOf(d.inflowRequests),
  },
  {
    field: "auditEvents",
    what: "a filter on A's customer id",
    send: (as) => gw.gql(AuditEventsDocument, { filter: { customerId: a.customer }, first: 50 }, as),
    reveals: (d) => edgesOf(d.auditEvents),
  },
];

/** A change B must not be able to make: it answers a typed not-found error. */
export interface MutationCase {
  field: string;
  what: string;
  code: NotFoundCode;
  send: () => Promise<Answer>;
}

export const MUTATION_CASES: MutationCase[] = [
  // Authenticators
  {
    field: "removeAuthenticator",
    what: "A's customer and A's identity as an authenticator",
    code: "CUSTOMER_NOT_FOUND",
    send: () =>
      asB(RemoveAuthenticatorDocument, { customerId: a.customer, authenticatorId: globalId("ExternalAuthenticator", rowId(a.identity)) }),
  },
  {
    field: "removeAuthenticator",
    what: "B's customer and A's identity as an authenticator",
    code: "AUTHENTICATOR_NOT_FOUND",
    send: () =>
      asB(RemoveAuthenticatorDocument, { customerId: bobOfB, authenticatorId: globalId("ExternalAuthenticator", rowId(a.identity)) }),
  },
  {
    field: "removeAuthenticator",
    what: "B's customer and A's customer's recovery codes",
    code: "AUTHENTICATOR_NOT_FOUND",
    send: () =>
      asB(RemoveAuthenticatorDocument, { customerId: bobOfB, authenticatorId: globalId("RecoveryCodesAuthenticator", rowId(a.customer)) }),
  },
  {
    field: "resetRecoveryCodes",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(ResetRecoveryCodesDocument, { customerId: a.customer }),
  },
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
    field: "eraseCustomer",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(EraseCustomerDocument, { id: a.customer }),
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
  // Custom-field definitions
  {
    field: "updateCustomField",
    what: "A's definition",
    code: "CUSTOM_FIELD_NOT_FOUND",
    send: () => asB(UpdateCustomFieldDocument, { id: a.customField, input: { searchable: false, access: "CUSTOMER_EDIT" } }),
  },
  {
    field: "retireCustomField",
    what: "A's definition",
    code: "CUSTOM_FIELD_NOT_FOUND",
    send: () => asB(RetireCustomFieldDocument, { id: a.customField }),
  },
  {
    field: "restoreCustomField",
    what: "A's definition",
    code: "CUSTOM_FIELD_NOT_FOUND",
    send: () => asB(RestoreCustomFieldDocument, { id: a.customField }),
  },
  // Segments
  {
    field: "updateSegment",
    what: "A's segment",
    code: "SEGMENT_NOT_FOUND",
    send: () => asB(UpdateSegmentDocument, { id: a.segment, input: { name: "mallory", filter: {} } }),
  },
  { field: "deleteSegment", what: "A's segment", code: "SEGMENT_NOT_FOUND", send: () => asB(DeleteSegmentDocument, { id: a.segment }) },
  // Export schedules
  {
    field: "updateExportSchedule",
    what: "A's export schedule",
    code: "EXPORT_SCHEDULE_NOT_FOUND",
    send: () => asB(UpdateExportScheduleDocument, { id: a.exportSchedule, input: { name: "mallory" } }),
  },
  {
    field: "deleteExportSchedule",
    what: "A's export schedule",
    code: "EXPORT_SCHEDULE_NOT_FOUND",
    send: () => asB(DeleteExportScheduleDocument, { id: a.exportSchedule }),
  },
  {
    field: "runExportScheduleNow",
    what: "A's export schedule",
    code: "EXPORT_SCHEDULE_NOT_FOUND",
    send: () => asB(RunExportScheduleNowDocument, { id: a.exportSchedule }),
  },
  // Exports (a link B makes exports B's customers only: test/exports.test.ts)
  {
    field: "createCustomerExport",
    what: "A's segment",
    code: "SEGMENT_NOT_FOUND",
    send: () => asB(CreateCustomerExportDocument, { input: { selection: { segmentId: a.segment } } }),
  },
  // Imports
  {
    field: "cancelImport",
    what: "A's import job",
    code: "IMPORT_JOB_NOT_FOUND",
    send: () => asB(CancelImportDocument, { id: a.importJob }),
  },
  // Bulk actions (B's ids selection with A's customer ids: test/bulk.test.ts, failures CUSTOMER_NOT_FOUND)
  {
    field: "runBulkAction",
    what: "A's segment",
    code: "SEGMENT_NOT_FOUND",
    send: () => asB(RunBulkActionDocument, { input: { action: "DELETE", confirm: true, selection: { segmentId: a.segment } } }),
  },
  {
    field: "cancelBulkJob",
    what: "A's bulk-action job",
    code: "BULK_JOB_NOT_FOUND",
    send: () => asB(CancelBulkJobDocument, { id: a.bulkJob }),
  },
  // Connectors
  {
    field: "updateConnector",
    what: "A's connector",
    code: "CONNECTOR_NOT_FOUND",
    send: () => asB(UpdateConnectorDocument, { id: a.connector, input: { url: "https://mallory.example/" } }),
  },
  {
    field: "activateConnector",
    what: "A's connector (failures counted)",
    code: "CONNECTOR_NOT_FOUND",
    send: () => asB(ActivateConnectorDocument, { id: a.connector }),
  },
  {
    field: "deactivateConnector",
    what: "A's connector",
    code: "CONNECTOR_NOT_FOUND",
    send: () => asB(DeactivateConnectorDocument, { id: a.connector }),
  },
  {
    field: "deleteConnector",
    what: "A's connector",
    code: "CONNECTOR_NOT_FOUND",
    send: () => asB(DeleteConnectorDocument, { id: a.connector }),
  },
  {
    field: "rotateConnectorSecret",
    what: "A's connector",
    code: "CONNECTOR_NOT_FOUND",
    send: () => asB(RotateConnectorSecretDocument, { id: a.connector }),
  },
  {
    field: "testConnector",
    what: "A's connector",
    code: "CONNECTOR_NOT_FOUND",
    send: () => asB(TestConnectorDocument, { id: a.connector }),
  },
  {
    field: "replayDelivery",
    what: "A's FAILED delivery",
    code: "DELIVERY_NOT_FOUND",
    send: () => asB(ReplayDeliveryDocument, { id: a.delivery }),
  },
  // Groups, organizations, roles: A's definitions, and A's customers mixed with B's definitions
  {
    field: "updateGroup",
    what: "A's group",
    code: "GROUP_NOT_FOUND",
    send: () => asB(UpdateGroupDocument, { id: a.group, input: { name: "m" } }),
  },
  { field: "deleteGroup", what: "A's group", code: "GROUP_NOT_FOUND", send: () => asB(DeleteGroupDocument, { id: a.group }) },
  {
    field: "addGroupMembers",
    what: "A's group and B's customer",
    code: "GROUP_NOT_FOUND",
    send: () => asB(AddGroupMembersDocument, { groupId: a.group, customerIds: [bobOfB] }),
  },
  {
    field: "addGroupMembers",
    what: "B's group and A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(AddGroupMembersDocument, { groupId: accessOfB.group, customerIds: [bobOfB, a.customer] }),
  },
  {
    field: "removeGroupMembers",
    what: "A's group and customer",
    code: "GROUP_NOT_FOUND",
    send: () => asB(RemoveGroupMembersDocument, { groupId: a.group, customerIds: [a.customer] }),
  },
  {
    field: "removeGroupMembers",
    what: "B's group and A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(RemoveGroupMembersDocument, { groupId: accessOfB.group, customerIds: [a.customer] }),
  },
  {
    field: "updateOrganization",
    what: "A's organization",
    code: "ORGANIZATION_NOT_FOUND",
    send: () => asB(UpdateOrganizationDocument, { id: a.organization, input: { domain: "mallory.example" } }),
  },
  {
    field: "deleteOrganization",
    what: "A's organization",
    code: "ORGANIZATION_NOT_FOUND",
    send: () => asB(DeleteOrganizationDocument, { id: a.organization }),
  },
  {
    field: "addOrganizationMembers",
    what: "A's organization and B's customer",
    code: "ORGANIZATION_NOT_FOUND",
    send: () => asB(AddOrganizationMembersDocument, { organizationId: a.organization, customerIds: [bobOfB] }),
  },
  {
    field: "addOrganizationMembers",
    what: "B's organization and A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(AddOrganizationMembersDocument, { organizationId: accessOfB.organization, customerIds: [a.customer] }),
  },
  {
    field: "removeOrganizationMembers",
    what: "A's organization and customer",
    code: "ORGANIZATION_NOT_FOUND",
    send: () => asB(RemoveOrganizationMembersDocument, { organizationId: a.organization, customerIds: [a.customer] }),
  },
  {
    field: "removeOrganizationMembers",
    what: "B's organization and A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(RemoveOrganizationMembersDocument, { organizationId: accessOfB.organization, customerIds: [a.customer] }),
  },
  {
    field: "updateRole",
    what: "A's role",
    code: "ROLE_NOT_FOUND",
    send: () => asB(UpdateRoleDocument, { id: a.role, input: { permissions: [] } }),
  },
  { field: "deleteRole", what: "A's role", code: "ROLE_NOT_FOUND", send: () => asB(DeleteRoleDocument, { id: a.role }) },
  {
    field: "assignRole",
    what: "A's customer and B's role",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(AssignRoleDocument, { customerId: a.customer, roleId: accessOfB.role }),
  },
  {
    field: "assignRole",
    what: "B's customer and A's role",
    code: "ROLE_NOT_FOUND",
    send: () => asB(AssignRoleDocument, { customerId: bobOfB, roleId: a.role }),
  },
  {
    field: "assignRole",
    what: "B's customer and role with A's organization",
    code: "ORGANIZATION_NOT_FOUND",
    send: () => asB(AssignRoleDocument, { customerId: bobOfB, roleId: accessOfB.role, organizationId: a.organization }),
  },
  {
    field: "unassignRole",
    what: "A's role assignment",
    code: "ROLE_ASSIGNMENT_NOT_FOUND",
    send: () => asB(UnassignRoleDocument, { id: a.roleAssignment }),
  },
  // Applications and notifications
  {
    field: "updateApplication",
    what: "A's application",
    code: "APPLICATION_NOT_FOUND",
    send: () => asB(UpdateApplicationDocument, { id: a.application, input: { name: "mallory" } }),
  },
  {
    field: "deleteApplication",
    what: "A's application",
    code: "APPLICATION_NOT_FOUND",
    send: () => asB(DeleteApplicationDocument, { id: a.application }),
  },
  {
    field: "updateCustomer",
    what: "B's customer notified through A's application",
    code: "APPLICATION_NOT_FOUND",
    send: () => asB(UpdateCustomerNotifyDocument, { id: bobOfB, input: { lastName: "x" }, notify: { application: a.application } }),
  },
  {
    field: "issuePasswordResetToken",
    what: "B's customer notified through A's application",
    code: "APPLICATION_NOT_FOUND",
    send: () => asB(IssuePasswordResetTokenNotifyDocument, { customerId: bobOfB, notify: { application: a.application } }),
  },
  // Identity verification
  {
    field: "updateVerificationPolicy",
    what: "A's verification policy",
    code: "VERIFICATION_POLICY_NOT_FOUND",
    send: () => asB(UpdateVerificationPolicyDocument, { id: a.verificationPolicy, input: { name: "mallory" } }),
  },
  {
    field: "deleteVerificationPolicy",
    what: "A's verification policy",
    code: "VERIFICATION_POLICY_NOT_FOUND",
    send: () => asB(DeleteVerificationPolicyDocument, { id: a.verificationPolicy }),
  },
  {
    field: "verifyCustomerIdentity",
    what: "B's customer with A's policy",
    code: "VERIFICATION_POLICY_NOT_FOUND",
    send: () =>
      asB(VerifyCustomerIdentityDocument, {
        customerId: bobOfB,
        input: { policyId: a.verificationPolicy, method: "IN_PERSON", note: "x" },
      }),
  },
  {
    field: "verifyCustomerIdentity",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () =>
      asB(VerifyCustomerIdentityDocument, {
        customerId: a.customer,
        input: { policyId: a.verificationPolicy, method: "IN_PERSON", note: "x" },
      }),
  },
  {
    field: "revokeIdentityVerification",
    what: "A's verification",
    code: "IDENTITY_VERIFICATION_NOT_FOUND",
    send: () => asB(RevokeIdentityVerificationDocument, { id: a.identityVerification, reason: "mallory" }),
  },
  // Security questions
  {
    field: "retireSecurityQuestion",
    what: "A's security question",
    code: "SECURITY_QUESTION_NOT_FOUND",
    send: () => asB(RetireSecurityQuestionDocument, { id: a.securityQuestion }),
  },
  {
    field: "setSecurityAnswers",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(SetSecurityAnswersDocument, { customerId: a.customer, answers: [{ questionId: a.securityQuestion, answer: "x" }] }),
  },
  // Impersonation
  {
    field: "impersonateCustomer",
    what: "A's customer",
    code: "CUSTOMER_NOT_FOUND",
    send: () => asB(ImpersonateCustomerDocument, { customerId: a.customer, reason: "mallory" }),
  },
  {
    field: "revokeImpersonation",
    what: "A's impersonation session",
    code: "SESSION_NOT_FOUND",
    send: () => asB(RevokeImpersonationDocument, { sessionId: a.impersonationSession }),
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
export const QUERIES_WITHOUT_IDS = [
  "currentAdmin", // the caller's own credential
  "currentTenant", // the caller's own tenant
  "auditChain", // the caller's tenant's chain head and checkpoints (checked: B's head and checkpoints are B's, none of A's)
  "adminCredentials", // list of the caller's tenant (cursor: checked)
  "customers", // search in the caller's tenant by email, phone, name… (checked with A's values)
  "customObjects", // search in the caller's tenant by name and data (checked with A's values and cursor)
  "customFieldDefinitions", // the caller's tenant's definitions (checked: none of A's)
  "allowUndefinedCustomFields", // the caller's tenant's setting (checked with the mutation below)
  "segments", // list of the caller's tenant (checked: none of A's, and A's cursor answers as an unknown one)
  "exportSchedules", // list of the caller's tenant (checked in test/export-schedules.test.ts: none of A's)
  "importJobs", // list of the caller's tenant (checked: none of A's)
  "bulkJobs", // list of the caller's tenant (checked: none of A's)
  "connectors", // list of the caller's tenant (checked: none of A's, A's cursor answers as an unknown one, also in Connector.deliveries)
  "groups", // lists of the caller's tenant (checked: none of A's groups, organizations or roles)
  "organizations",
  "roles",
  "groupClaimsInTokens", // the caller's tenant's setting (checked with the mutation below)
  "applications", // list of the caller's tenant (checked in test/applications.test.ts: none of A's)
  "notifications", // list of the caller's tenant (checked in test/notifications.test.ts: none of A's)
  "securityQuestions", // the caller's tenant's questions (checked: none of A's)
  "verificationPolicies", // list of the caller's tenant (checked: none of A's)
  "auditEventTypes", // the gateway's catalog of event types, the same for every tenant (checked: no tenant data)
  "teamMembers", // the members granted in the caller's tenant (checked: none granted only in A)
];
export const MUTATIONS_WITHOUT_IDS = [
  "createCustomer", // creates in the caller's tenant; A's email, phone, uid… must not conflict (checked)
  "createSegment", // saves in the caller's tenant; A's segment name does not conflict (checked)
  "createExportSchedule", // saves in the caller's tenant (checked in test/export-schedules.test.ts: B's schedule exports B's customers)
  "createAdminCredential", // issues a credential of the caller's tenant (checked: it cannot read A)
  "defineCustomField", // defines in the caller's tenant; A's key must not conflict (checked)
  "setAllowUndefinedCustomFields", // the caller's tenant's setting; A's stays (checked)
  "startCustomerImport", // imports into the caller's tenant; A's uid and email are B's to use (checked)
  "createGroup", // create in the caller's tenant; A's names do not conflict (checked)
  "createOrganization",
  "createRole",
  "setGroupClaimsInTokens", // the caller's tenant's setting; A's stays (checked)
  "createApplication", // creates in the caller's tenant (an organizationId of A's is refused: no such organization)
  "createSecurityQuestion", // creates in the caller's tenant; A's question text does not conflict (checked)
  "createVerificationPolicy", // creates in the caller's tenant; A's policy name does not conflict (checked)
  "createConnector", // creates in the caller's tenant; A's connector name does not conflict, B's connector hears only B's events (checked)
];
export const SUBSCRIPTIONS_WITHOUT_IDS = [
  "auditEvents", // the caller's tenant's trail (checked: B's replay holds none of A's events)
];

/**
 * Customer-facing fields, covered by their own tests: they authenticate a customer (X-Tenant
 * header, or a customer's access token naming tenant and customer) instead of an admin
 * credential, so "B's admin credential with A's ids" is not their threat. Checked here only in
 * that B's admin credential gets nothing out of them (describe "customer-facing fields").
 */
export const CUSTOMER_FACING_QUERIES = ["me", "myAccountInformation", "recoveryQuestions"];
export const CUSTOMER_FACING_MUTATIONS = [
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
  "completeSignIn",
  "enrollTotp",
  "confirmTotp",
  "removeMyAuthenticator",
  "regenerateMyRecoveryCodes",
  "setMySecurityAnswers",
  "verifySecurityAnswers",
];
