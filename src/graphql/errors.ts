import {
  AppError,
  AuthenticationError,
  REQUEST_ERROR_CODES,
  ConflictError,
  ERROR_CODES,
  IncompatibleValuesError,
  NotFoundError,
  RateLimitedError,
  RuleViolationError,
  ValidationError,
} from "../errors.ts";
import { builder } from "./builder.ts";

// Expected failures as typed results. Clients match `... on Error { code message }` and branch on
// the stable `code`; the concrete types add detail (which field, which issues).

// Every code a client can receive, typed results and request-level errors alike: the one registry.
const ErrorCode = builder.enumType("ErrorCode", { values: [...new Set([...ERROR_CODES, ...REQUEST_ERROR_CODES])] as const });

const ErrorInterface = builder.interfaceRef<AppError>("Error").implement({
  fields: (t) => ({
    code: t.field({ type: ErrorCode, resolve: (e) => e.code as (typeof ERROR_CODES)[number] }),
    message: t.exposeString("message"),
  }),
});

const ValidationIssue = builder.objectRef<{ field: string; message: string }>("ValidationIssue").implement({
  fields: (t) => ({
    field: t.exposeString("field", { description: "Dotted path of the offending input field." }),
    message: t.exposeString("message"),
  }),
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ValidationError,
  fields: (t) => ({
    issues: t.field({ type: [ValidationIssue], resolve: (e) => e.issues }),
  }),
});

builder.objectType(ConflictError, {
  name: "ConflictError",
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ConflictError,
  fields: (t) => ({ field: t.exposeString("field") }),
});

builder.objectType(RateLimitedError, {
  name: "RateLimitedError",
  description:
    "Too many attempts (a rate limit or the sign-in throttle): nothing was tried. The HTTP answer is 429 with a Retry-After header. " +
    "Said the same way whether or not the account exists.",
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof RateLimitedError,
  fields: (t) => ({
    retryAfter: t.exposeInt("retryAfter", { description: "Whole seconds to wait before trying again." }),
  }),
});

builder.objectType(IncompatibleValuesError, {
  name: "IncompatibleValuesError",
  description: "A custom-field definition that values customers already hold would break: nothing was changed.",
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof IncompatibleValuesError,
  fields: (t) => ({
    key: t.exposeString("key"),
    offenders: t.exposeInt("offenders", { description: "How many customers hold a value the definition would refuse." }),
    exampleUids: t.exposeStringList("exampleUids", { description: "The uids of a few of them." }),
  }),
});

/** The error types that carry nothing beyond code and message: one definition serves them all. */
function plainErrorType(cls: typeof NotFoundError | typeof RuleViolationError | typeof AuthenticationError, description?: string) {
  builder.objectType(cls, {
    name: cls.name,
    description,
    interfaces: [ErrorInterface],
    isTypeOf: (e) => e instanceof cls,
    fields: () => ({}),
  });
}

plainErrorType(NotFoundError);
plainErrorType(RuleViolationError, "The request is well-formed but not allowed in the current state.");
plainErrorType(AuthenticationError, "Credentials or a token did not check out. Always the same message, whatever the cause.");
