import { PothosValidationError } from "@pothos/core";
import { GraphQLError, type ExecutionResult } from "graphql";
import { isAsyncIterable, maskError, type Plugin } from "graphql-yoga";
import { AppError, ERROR_CODES, RateLimitedError, REQUEST_ERROR_CODES, SlowConsumerError, ValidationError } from "../errors.ts";

/**
 * Yoga's error masking, except for our expected failures thrown outside a mutation's typed result
 * (queries have no result union): those keep their message and stable code.
 */
export function exposeExpectedErrors(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (error instanceof GraphQLError && original instanceof AppError) {
    return new GraphQLError(original.message, {
      nodes: error.nodes,
      path: error.path,
      extensions: {
        code: original.code,
        ...(original instanceof ValidationError ? { issues: original.issues } : {}),
        ...(original instanceof SlowConsumerError ? { resumeAfter: original.resumeAfter } : {}),
        ...(original instanceof RateLimitedError ? { retryAfter: original.retryAfter } : {}),
      },
    });
  }
  // Pothos refuses undecodable paging cursors and bad paging arguments: the client's mistake.
  const pothos = original instanceof PothosValidationError ? original : error instanceof PothosValidationError ? error : null;
  if (error instanceof GraphQLError && pothos) {
    const cursor = pothos.message.startsWith("Invalid cursor") || pothos.message.startsWith("Cursor must");
    const issues = [
      { field: cursor ? "after" : "arguments", message: cursor ? "not a cursor returned by this connection" : pothos.message },
    ];
    return new GraphQLError(issues[0].message, { nodes: error.nodes, path: error.path, extensions: { code: "VALIDATION_FAILED", issues } });
  }
  return maskError(error, message, isDev);
}

const REGISTRY = new Set<string>([...ERROR_CODES, ...REQUEST_ERROR_CODES]);
/** Extensions a client may see; everything else on a server error object stays on the server. */
const PUBLIC_EXTENSIONS = ["code", "issues", "retryAfter", "resumeAfter", "http"];
/** Messages echo client input (unknown field names, bad values): cut them short. */
export const MAX_MESSAGE_LENGTH = 300;
/** Codes yoga and graphql-js use, mapped to ours. */
const KNOWN: Record<string, string> = { REQUEST_ENTITY_TOO_LARGE: "PAYLOAD_TOO_LARGE" };

function codeOf(error: GraphQLError): string {
  const given = error.extensions?.code;
  if (typeof given === "string" && REGISTRY.has(given)) return given;
  if (typeof given === "string" && KNOWN[given]) return KNOWN[given];
  if (error.message.startsWith("Syntax Error")) return "GRAPHQL_PARSE_FAILED";
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  if (status !== undefined && status >= 400 && status < 500) return "BAD_REQUEST";
  // Variable coercion and validation errors have locations and no code; anything with a path
  // came out of a resolver and was already masked unless expected.
  if (!error.path && !error.originalError) return "GRAPHQL_VALIDATION_FAILED";
  return "INTERNAL_SERVER_ERROR";
}

const cut = (s: string) => (s.length > MAX_MESSAGE_LENGTH ? `${s.slice(0, MAX_MESSAGE_LENGTH)}…` : s);

/** One error as a client may see it: a registry code, a short message, public extensions only. */
export function normalizeError(error: unknown, logInternal?: (error: unknown) => void): GraphQLError {
  // Hooks may see an error before yoga's masking has: mask it here too (idempotent), so building a
  // fresh GraphQLError below can never launder an internal error into an "expected" one.
  const unmasked =
    !(error instanceof GraphQLError) ||
    error instanceof PothosValidationError ||
    (error.originalError != null &&
      (!(error.originalError instanceof GraphQLError) || error.originalError instanceof PothosValidationError));
  const e = (unmasked ? exposeExpectedErrors(error, "Unexpected error.", false) : error) as GraphQLError;
  const extensions: Record<string, unknown> = {};
  for (const key of PUBLIC_EXTENSIONS) if (e.extensions?.[key] !== undefined) extensions[key] = e.extensions[key];
  extensions.code = codeOf(e);
  // A request-level refusal (no path: parse, validation, limits, input guard) is the client's
  // fault: 400 unless it says otherwise (401, 413, 429), also for legacy application/json clients.
  if (!e.path && extensions.code !== "INTERNAL_SERVER_ERROR") {
    const http = (e.extensions?.http ?? {}) as { status?: number; headers?: Record<string, string> };
    extensions.http = { ...(http.headers ? { headers: http.headers } : {}), status: http.status ?? 400 };
  }
  if (Array.isArray(extensions.issues)) {
    extensions.issues = (extensions.issues as { field: string; message: string }[]).map((i) => ({
      field: cut(String(i.field)),
      message: cut(String(i.message)),
    }));
  }
  // A GraphQLError without a registry code that came out of a resolver is a bug: say nothing. Masked
  // here, yoga's own masking (which logs) no longer sees the cause: log it ourselves.
  const message = extensions.code === "INTERNAL_SERVER_ERROR" ? "Unexpected error." : cut(e.message);
  if (message === "Unexpected error." && (error as Error).message !== "Unexpected error.") logInternal?.(error);
  return new GraphQLError(message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, extensions });
}

/**
 * Every result a client gets — HTTP, SSE and graphql-ws, request-level errors included — leaves
 * with normalized errors (see normalizeError). Internal errors it masks go to `logInternal`.
 */
export function normalizeErrorsPlugin(logInternal: (error: unknown) => void): Plugin {
  const normalizeResult = <R extends ExecutionResult>(result: R): R =>
    result?.errors?.length ? { ...result, errors: result.errors.map((e) => normalizeError(e, logInternal)) } : result;
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map((r) => normalizeResult(r as ExecutionResult)) as never);
      else if (!isAsyncIterable(result)) setResult(normalizeResult(result as ExecutionResult) as never);
    },
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) return setResult(normalizeResult(result));
        return { onNext: ({ result: next, setResult: setNext }) => setNext(normalizeResult(next)) };
      },
    }),
    onSubscribe: () => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) setResult(normalizeResult(result));
        return { onNext: ({ result: next, setResult: setNext }) => setNext(normalizeResult(next)) };
      },
      onSubscribeError: ({ error, setError }) => setError(normalizeError(error, logInternal)),
    }),
  };
}
