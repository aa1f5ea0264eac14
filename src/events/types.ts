// Every audit event type the gateway records, with what it means: the triggers a connector can
// listen to (exact, or a wildcard such as `customer.*`), listed by `auditEventTypes` in GraphQL.
// test/event-types.test.ts scans src/ and fails when a recorded type is missing here, so the list
// grows with each capability.

export const AUDIT_EVENT_TYPES = {
  "tenant.created": "A tenant was created (CLI or bootstrap), with its first admin credential.",
  "tenant.updated": "A tenant setting changed (e.g. allowUndefinedCustomFields).",
  "credential.created": "An admin API credential was issued.",
  "credential.revoked": "An admin API credential was revoked; its live connections are closed.",
  "console.signed_in":
    "A team member signed in to the admin console, opening this store's credential for the session (data: teamMemberId, name, credentialId, scopes); signing out revokes it.",
  "team.password_changed":
    "A team member changed their console password (their other console sessions ended: data.sessionsEnded). Recorded in every store they hold.",
  "team.mfa_enabled": "A team member turned on an authenticator app for console sign-in. Recorded in every store they hold.",
  "team.mfa_disabled": "A team member turned their authenticator app off (with their password). Recorded in every store they hold.",
  "team.mfa_reset":
    "The operator removed a team member's authenticator app (CLI `team reset-mfa`, a lost phone). Recorded in every store they hold.",

  "pii.sealed_at_rest":
    "PII stored in clear was sealed at rest by `pii encrypt-existing` (data.customers, data.phones: how many in this batch).",

  "customer.created": "A customer was created by an admin.",
  "customer.imported": "A customer was created by an import job.",
  "customer.updated": "A customer's profile or custom fields changed (data.changes).",
  "customer.deleted": "A customer and everything that belongs to it was deleted.",
  "customer.erased": "A customer was erased (GDPR art. 17): deleted, and the personal data in its audit events made unreadable.",
  "customer.blocked": "A customer was blocked (sign-in refused, sessions ended).",
  "customer.unblocked": "A blocked customer was unblocked.",
  "customer.disabled": "A customer was disabled (sign-in refused, sessions ended).",
  "customer.enabled": "A disabled customer was enabled again.",
  "customer.email_added": "An email address was added to a customer.",
  "customer.email_removed": "An email address was removed from a customer.",
  "customer.email_verified": "A customer's email address was marked verified (by an admin or a verification token).",
  "customer.email_unverified": "A customer's email address was marked unverified.",
  "customer.primary_email_changed": "Another of the customer's email addresses became the primary one.",
  "customer.phone_added": "A phone number was added to a customer.",
  "customer.phone_removed": "A phone number was removed from a customer.",
  "customer.phone_verified": "A customer's phone number was marked verified.",
  "customer.phone_unverified": "A customer's phone number was marked unverified.",
  "customer.primary_phone_changed": "Another of the customer's phone numbers became the primary one.",
  "customer.password_set": "An admin set a customer's password.",
  "customer.password_changed": "A customer changed their own password.",
  "customer.password_change_failed": "A customer's password change was refused (wrong current password).",
  "customer.password_reset_requested": "A customer asked for a password-reset token.",
  "customer.password_reset": "A customer reset their password with a reset token.",
  "customer.password_rehashed": "A customer's password hash was upgraded to the current parameters at sign-in.",
  "customer.signed_in": "A customer signed in (a session started).",
  "customer.sign_in_failed": "A sign-in failed (the reason is in data, for admins only).",
  "customer.locked_out": "Too many failed sign-ins: the customer's sign-in is locked for a while.",
  "customer.signed_out": "A customer signed out (their session ended).",
  "customer.mfa_enrollment_started":
    "A customer started adding an authenticator app (pending until confirmed; the secret is never recorded).",
  "customer.mfa_enrolled": "A customer confirmed an authenticator app: sign-in now asks for a second factor.",
  "customer.mfa_removed": "An authenticator app was removed (data.by: customer, or admin — the lost-device path).",
  "customer.mfa_verification_failed":
    "A customer's own change to their second factors was refused (wrong code); counts like a failed sign-in.",
  "customer.mfa_challenge_issued": "The password was right and a second factor was asked for (signIn answered MfaRequired).",
  "customer.sign_in_mfa_failed":
    "A second-factor sign-in step failed (wrong or replayed code, blocked customer); counts like a failed sign-in.",
  "customer.recovery_codes_generated": "A customer got a fresh set of recovery codes (never recorded themselves).",
  "customer.recovery_codes_revoked": "An admin revoked a customer's unused recovery codes.",
  "customer.recovery_code_used": "A customer spent a recovery code (data.remaining: how many are left).",
  "customer.account_information_downloaded": "Everything about a customer was read as one document (admin or the customer).",

  "identity.linked": "An external identity (provider + user id) was linked to a customer.",
  "identity.unlinked": "An external identity was unlinked from a customer.",
  "consent.granted": "A customer's consent to a purpose was recorded.",
  "consent.revoked": "A customer's consent to a purpose was revoked.",
  "custom_object.created": "A custom object was attached to a customer.",
  "custom_object.updated": "A customer's custom object changed.",
  "custom_object.deleted": "A customer's custom object was deleted.",

  "session.created": "A session was started for a customer.",
  "session.refreshed": "A session's refresh token was used (rotated).",
  "session.refresh_reuse_detected": "A used refresh token came back: the session was ended as stolen.",
  "session.revoked": "A session was ended.",
  "session.revoked_all": "Every session of a customer was ended.",
  "token.issued": "A one-time token (password reset, email verification) was issued.",
  "token.used": "A one-time token was used.",

  "custom_field.defined": "A custom-field definition was created.",
  "custom_field.updated": "A custom-field definition changed.",
  "custom_field.retired": "A custom-field definition was retired.",
  "custom_field.restored": "A retired custom-field definition was restored.",
  "segment.created": "A segment (saved customer filter) was created.",
  "segment.updated": "A segment changed.",
  "segment.deleted": "A segment was deleted.",
  "group.created": "A customer group was created.",
  "group.updated": "A group was renamed or re-described (data.changes).",
  "group.deleted": "A group and its memberships were deleted (data.memberCount).",
  "organization.created": "An organization was created.",
  "organization.updated": "An organization's name, domain or metadata changed (data.changes).",
  "organization.deleted": "An organization, its memberships and the role pairs on it were deleted.",
  "role.created": "A role (a named set of permissions) was created.",
  "role.updated": "A role's name, description or permissions changed (data.changes).",
  "role.deleted": "A role and every assignment of it were deleted.",
  "customer.group_added": "A customer was added to a group.",
  "customer.group_removed": "A customer was removed from a group (applications restricting by group refuse them from their next token).",
  "customer.organization_added": "A customer became a member of an organization.",
  "customer.organization_removed": "A customer stopped being a member of an organization.",
  "customer.role_assigned": "A role was assigned to a customer, tenant-wide or for one organization (a role pair).",
  "customer.role_unassigned": "A role pair was taken from a customer.",

  "import.started": "A customer import job started.",
  "import.progressed": "A customer import job wrote a batch (counters in data).",
  "import.completed": "A customer import job finished.",
  "import.failed": "A customer import job stopped on an error.",
  "import.cancelled": "A customer import job was cancelled.",
  "bulk_action.queued": "A bulk action over a large selection was queued as a job (selection kind, total in data).",
  "bulk_action.started": "A bulk action job started its first batch.",
  "bulk_action.resumed": "A bulk action job was picked up again after its node stopped (cursor in data).",
  "bulk_action.progressed": "A bulk action job committed batches (counters in data; at most about one a second).",
  "bulk_action.completed": "A bulk action job finished.",
  "bulk_action.failed": "A bulk action job stopped on an error.",
  "bulk_action.cancelled": "A bulk action job was cancelled.",
  "export.created": "A customer export download link was made.",
  "export.completed": "A customer export was written (download or scheduled file).",
  "export.failed": "A customer export failed.",
  "export_schedule.created": "An export schedule was created.",
  "export_schedule.updated": "An export schedule changed.",
  "export_schedule.deleted": "An export schedule and its files were deleted.",

  "connector.created": "A cloud connector was created.",
  "connector.updated": "A cloud connector's settings changed (data.changes; never the secret).",
  "connector.activated": "A cloud connector was activated (its failure count reset).",
  "connector.deactivated": "A cloud connector was deactivated by an admin.",
  "connector.deleted": "A cloud connector and its delivery log were deleted.",
  "connector.secret_rotated":
    "A cloud connector got a new signing secret; the previous one stays valid until data.previousSecretExpiresAt.",
  "connector.tested": "A sample delivery of a cloud connector was queued (testConnector).",
  "connector.delivery_replayed": "A failed or delivered delivery was queued to be sent again (same webhook-id).",
  "connector.failed": "A cloud connector was deactivated automatically after too many failed attempts in a row.",
  "connector.delivery_failed": "A delivery ran out of attempts (status FAILED; replayDelivery sends it again).",

  "application.created": "An application (client) was created, with its branding and notification templates.",
  "application.updated": "An application's name, organization, branding or templates changed (data.changes).",
  "application.deleted": "An application was deleted (its notifications stay in the log).",
  "customer.notification_queued":
    "A notification to the customer was queued in the transaction of the change it reports (kind, application, recipient).",
  "customer.notification_requested":
    "No SMTP server is configured: a notification is handed to the tenant's connectors (data: to, from, subject, text, html — a reset link included).",
  "customer.notification_sent": "A notification was accepted by the SMTP server or handed to the connectors.",
  "customer.notification_failed": "A notification ran out of attempts (status FAILED).",
  // Identity verification, security questions, impersonation (issue 14, part D).
  "verification_policy.created": "An identity verification policy was created.",
  "verification_policy.updated": "An identity verification policy changed (data.changes).",
  "verification_policy.deleted": "An identity verification policy no verification names was deleted.",
  "customer.identity_verified": "An admin verified a customer's identity by hand under a verification policy.",
  "customer.identity_verification_revoked": "A manual identity verification was revoked (data.reason).",
  "security_question.created": "A security question was added to the tenant.",
  "security_question.retired": "A security question was retired: it takes no new answers.",
  "customer.security_answers_set": "A customer's security answers were set (by an admin or the customer; data.questionIds, never answers).",
  "customer.security_answers_verified": "Security answers checked out: a password-reset token was issued (data.tokenId).",
  "customer.security_answers_failed": "Security answers were wrong (counts toward the sign-in lock, like a wrong password).",
  "customer.impersonation_started": "An admin started a short-lived session acting as the customer (data.reason, data.sessionId).",
  "customer.impersonation_ended": "An impersonation session was revoked before it expired.",

  "security.admin_auth_failed": "An admin credential or a bearer token was refused (summarized: at most one a minute per subject).",
  "security.forbidden": "A credential asked for something its scopes do not allow (summarized).",
  "security.rate_limited": "A rate limit refused requests (summarized).",
  "security.credential_revoked": "An admin credential was revoked (the security category beside credential.revoked).",
  "security.connection_closed": "A revoked credential's live WebSocket/SSE connections were closed (per transport, summarized).",
} as const satisfies Record<string, string>;

export type AuditEventType = keyof typeof AUDIT_EVENT_TYPES;

export const AUDIT_EVENT_TYPE_NAMES = Object.keys(AUDIT_EVENT_TYPES) as AuditEventType[];

/**
 * The catalog types an event pattern matches: itself when it is a type, every type below its
 * prefix for `prefix.*`, every type for `*`. Empty when it matches nothing.
 */
export function eventTypesMatching(pattern: string): AuditEventType[] {
  if (pattern === "*") return AUDIT_EVENT_TYPE_NAMES;
  if (pattern.endsWith(".*")) return AUDIT_EVENT_TYPE_NAMES.filter((t) => t.startsWith(pattern.slice(0, -1)));
  return AUDIT_EVENT_TYPE_NAMES.filter((t) => t === pattern);
}
