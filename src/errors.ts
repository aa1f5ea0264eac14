// Expected failures: the service layer throws these, GraphQL turns them into typed results with
// stable codes, the CLI prints them. Anything else is a bug and gets masked.

export const NOT_FOUND_CODES = [
  "CUSTOMER_NOT_FOUND",
  "IDENTITY_NOT_FOUND",
  "SESSION_NOT_FOUND",
  "CONSENT_NOT_FOUND",
  "CUSTOM_OBJECT_NOT_FOUND",
  "EMAIL_NOT_FOUND",
  "PHONE_NOT_FOUND",
  "CREDENTIAL_NOT_FOUND",
  "TENANT_NOT_FOUND",
  "CUSTOM_FIELD_NOT_FOUND",
  "SEGMENT_NOT_FOUND",
  "EXPORT_SCHEDULE_NOT_FOUND",
  "EXPORT_FILE_NOT_FOUND",
  "IMPORT_JOB_NOT_FOUND",
  "CONNECTOR_NOT_FOUND",
  "DELIVERY_NOT_FOUND",
  "AUTHENTICATOR_NOT_FOUND",
  "GROUP_NOT_FOUND",
  "ORGANIZATION_NOT_FOUND",
  "ROLE_NOT_FOUND",
  "ROLE_ASSIGNMENT_NOT_FOUND",
  "BULK_JOB_NOT_FOUND",
  "APPLICATION_NOT_FOUND",
  "VERIFICATION_POLICY_NOT_FOUND",
  "IDENTITY_VERIFICATION_NOT_FOUND",
  "SECURITY_QUESTION_NOT_FOUND",
  "TEAM_MEMBER_NOT_FOUND",
] as const;

export const CONFLICT_CODES = [
  "EMAIL_TAKEN",
  "PHONE_TAKEN",
  "USERNAME_TAKEN",
  "UID_TAKEN",
  "IDENTITY_TAKEN",
  "TENANT_SLUG_TAKEN",
  "CUSTOM_FIELD_KEY_TAKEN",
  "SEGMENT_NAME_TAKEN",
  "EXPORT_SCHEDULE_NAME_TAKEN",
  "CONNECTOR_NAME_TAKEN",
  "GROUP_NAME_TAKEN",
  "ORGANIZATION_NAME_TAKEN",
  "ORGANIZATION_DOMAIN_TAKEN",
  "ROLE_NAME_TAKEN",
  "APPLICATION_NAME_TAKEN",
  "VERIFICATION_POLICY_NAME_TAKEN",
  "SECURITY_QUESTION_TAKEN",
] as const;

export const RULE_CODES = [
  "LAST_SIGN_IN_METHOD",
  "INVALID_STATE",
  "EXPORT_UNAVAILABLE",
  "CONNECTORS_UNAVAILABLE",
  "BULK_COUNT_MISMATCH",
  /** The application may not notify this customer (organization rule of seed 002). */
  "APPLICATION_NOT_ALLOWED",
  /** The customer has no primary email to notify. */
  "NOT_NOTIFIABLE",
  /** impersonateCustomer on a BLOCKED or DISABLED customer. */
  "CUSTOMER_NOT_ACTIVE",
  /** eraseCustomer without MASTER_KEY: audit events were not sealed, so their PII cannot be shredded (src/pii/). */
  "ERASURE_UNAVAILABLE",
] as const;

/** Sign-in and token failures. Deliberately coarse: they never say which part was wrong. */
export const AUTH_CODES = ["INVALID_CREDENTIALS", "INVALID_TOKEN"] as const;

export type NotFoundCode = (typeof NOT_FOUND_CODES)[number];
export type ConflictCode = (typeof CONFLICT_CODES)[number];
export type RuleCode = (typeof RULE_CODES)[number];
export type AuthCode = (typeof AUTH_CODES)[number];
export const ERROR_CODES = [
  "VALIDATION_FAILED",
  "RATE_LIMITED",
  ...NOT_FOUND_CODES,
  ...CONFLICT_CODES,
  ...RULE_CODES,
  ...AUTH_CODES,
  "CUSTOM_FIELD_VALUES_INCOMPATIBLE",
] as const;

/**
 * Codes of errors that are not a typed result (request-level, or in `errors` of a query). With
 * ERROR_CODES this is the one registry: every error a client receives carries a code from them.
 */
export const REQUEST_ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "RATE_LIMITED",
  "PAYLOAD_TOO_LARGE",
  "BAD_REQUEST",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "QUERY_TOO_COMPLEX",
  "SLOW_CONSUMER",
  "SIGN_IN_UNAVAILABLE",
  /** The console's sign-in: the password was right; send the authenticator app's code too. */
  "MFA_REQUIRED",
  "UNSUPPORTED_MEDIA_TYPE",
  "CONNECTOR_INACTIVE",
  "CONNECTORS_UNAVAILABLE",
  "INTERNAL_SERVER_ERROR",
] as const;

export type RequestErrorCode = (typeof REQUEST_ERROR_CODES)[number];

export abstract class AppError extends Error {
  abstract readonly code: string;
}

export class NotFoundError extends AppError {
  constructor(
    readonly code: NotFoundCode,
    message = `${code
      .replace(/_NOT_FOUND$/, "")
      .toLowerCase()
      .replace(/_/g, " ")} not found`,
  ) {
    super(message);
  }
}

export class ConflictError extends AppError {
  constructor(
    readonly code: ConflictCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A request that is well-formed but not allowed in the current state. */
export class RuleViolationError extends AppError {
  constructor(
    readonly code: RuleCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Credentials or a token did not check out. The message is the same whatever the cause (unknown
 * identifier, wrong password, blocked customer, expired or reused token): the cause goes to the
 * admin-visible audit event only, so nobody can probe which accounts exist or are blocked.
 */
export class AuthenticationError extends AppError {
  constructor(
    readonly code: AuthCode,
    message = code === "INVALID_CREDENTIALS" ? "The identifier or password is incorrect" : "The token is invalid, expired or already used",
  ) {
    super(message);
  }
}

/** Customer sign-in is switched off on this gateway (no MASTER_KEY with DATABASE_URL). */
export class SignInUnavailableError extends AppError {
  readonly code = "SIGN_IN_UNAVAILABLE";
  constructor() {
    super("Customer sign-in is not configured on this gateway (MASTER_KEY is not set)");
  }
}

export interface ValidationIssue {
  /** Dotted path of the offending input field, e.g. `emails.0.address`. */
  field: string;
  message: string;
}

export class ValidationError extends AppError {
  readonly code = "VALIDATION_FAILED";
  constructor(readonly issues: ValidationIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join("; "));
  }
}

/**
 * A custom-field definition (new, changed or restored) that values customers already hold would
 * break: nothing was changed. `offenders` counts the customers, `exampleUids` names a few.
 */
export class IncompatibleValuesError extends AppError {
  readonly code = "CUSTOM_FIELD_VALUES_INCOMPATIBLE";
  constructor(
    readonly key: string,
    readonly offenders: number,
    readonly exampleUids: string[],
  ) {
    super(`${offenders} customer(s) hold a value of ${key} the definition would refuse, e.g. ${exampleUids.join(", ")}`);
  }
}

/**
 * Too many attempts: a rate limit or a sign-in throttle holds. `retryAfter` is in whole seconds.
 * Said the same way whether or not the account exists.
 */
export class RateLimitedError extends AppError {
  readonly code = "RATE_LIMITED";
  constructor(
    readonly retryAfter: number,
    message = `Too many attempts: try again in ${retryAfter} s`,
  ) {
    super(message);
  }
}

/** A live subscriber fell too far behind and was cut off; it can resume after `resumeAfter`. */
export class SlowConsumerError extends AppError {
  readonly code = "SLOW_CONSUMER";
  constructor(readonly resumeAfter: string | null) {
    super("The subscriber fell too far behind and was disconnected; resubscribe with after: resumeAfter to continue without loss.");
  }
}
