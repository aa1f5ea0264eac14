import { AppError, AuthenticationError, RateLimitedError, RuleViolationError, SignInUnavailableError, ValidationError } from "../errors.ts";

// The console's JSON answers outside GraphQL (/console/session, /console/account/…): a body, or
// { code, message } with a code from the one registry (src/errors.ts). Never cached.

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { ...(body === null ? {} : { "content-type": "application/json" }), "cache-control": "no-store", ...headers },
  });

export const refusal = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  json(status, { code, message }, headers);

/**
 * The answer for an expected failure, or null for anything else (an internal error the caller
 * masks). A wrong password is 403, not 401: the session is fine, the proof was not.
 */
export function expectedFailure(error: unknown): Response | null {
  if (error instanceof RateLimitedError) return refusal(429, error.code, error.message, { "retry-after": String(error.retryAfter) });
  if (error instanceof ValidationError) return json(400, { code: error.code, message: error.message, issues: error.issues });
  if (error instanceof AuthenticationError) return refusal(403, error.code, error.message);
  if (error instanceof RuleViolationError) return refusal(409, error.code, error.message);
  if (error instanceof SignInUnavailableError) return refusal(503, error.code, error.message);
  return error instanceof AppError ? refusal(400, error.code, error.message) : null;
}

/**
 * A JSON object body's string fields: every `required` one, and the `optional` ones it has. Null
 * when the body is not a JSON object, or a field is missing, not a string or over 1000 characters.
 */
export function stringFields<R extends string, O extends string = never>(
  body: string | null,
  required: readonly R[],
  optional: readonly O[] = [],
): (Record<R, string> & Partial<Record<O, string>>) | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? "");
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  const given = parsed as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const name of [...required, ...optional]) {
    const value = given[name];
    if (value === undefined && (optional as readonly string[]).includes(name)) continue;
    if (typeof value !== "string" || value.length > MAX_FIELD_LENGTH) return null;
    fields[name] = value;
  }
  return fields as Record<R, string> & Partial<Record<O, string>>;
}

const MAX_FIELD_LENGTH = 1000;
