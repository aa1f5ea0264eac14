import { getOperationAST, type ExecutionArgs, type ExecutionResult } from "graphql";
import { isAsyncIterable, type Plugin, type YogaLogger } from "graphql-yoga";
import { normalizeError } from "../graphql/mask-errors.ts";
import { requestInfo } from "../graphql/request.ts";
import type { Logger } from "../logger.ts";
import { safePath } from "../paths.ts";
import type { AdminPrincipal, CustomerPrincipal } from "../service-context.ts";
import type { Metrics } from "./metrics.ts";

/** What one HTTP request collects on its way through yoga, keyed by its server context. */
interface RequestState {
  started: number;
  path: string;
  operation?: { name: string | null; type: string };
  errorCodes: string[];
}

/** The context as the hooks see it: yoga's server context, which becomes the GraphQL context once built. */
type Observed = { admin?: AdminPrincipal | null; customer?: CustomerPrincipal | null; tenantSlug?: string | null; request?: unknown };

const GRAPHQL_PATH = "/graphql";

/**
 * One log line (info) and the metrics of each HTTP request yoga answers, GraphQL or not: method,
 * path, operation, principal kind, tenant, duration, status, the first error code (or OK), request
 * id. Never headers, query strings or variables. Paths other than /graphql keep their first
 * segment only (export download links are credentials). List it first among the plugins: a
 * route plugin that answers in onRequest stops the plugins after it.
 */
export function observeRequests(logger: Logger, metrics: Metrics): Plugin {
  const states = new WeakMap<object, RequestState>();
  const noteOperation = (args: ExecutionArgs) => {
    const state = states.get(args.contextValue as object);
    const operation = getOperationAST(args.document, args.operationName);
    if (state && operation) state.operation = { name: operation.name?.value ?? null, type: operation.operation };
  };
  return {
    onRequest({ serverContext, url }) {
      states.set(serverContext, { started: performance.now(), path: url.pathname, errorCodes: [] });
    },
    onExecute({ args }) {
      noteOperation(args);
    },
    onSubscribe({ args }) {
      noteOperation(args);
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) return;
          return { onEnd: metrics.subscriptionStarted() };
        },
      };
    },
    onResultProcess({ result, serverContext }) {
      const state = states.get(serverContext);
      const results = (Array.isArray(result) ? result : [result]) as ExecutionResult[];
      // Normalized here too (pure, idempotent): whichever plugin's hook runs first, the codes are the client's.
      if (state) state.errorCodes = results.flatMap((r) => r?.errors ?? []).map((e) => String(normalizeError(e).extensions.code));
    },
    onResponse({ request, response, serverContext }) {
      const state = states.get(serverContext);
      if (!state) return;
      states.delete(serverContext);
      const seconds = (performance.now() - state.started) / 1000;
      const path = state.path;
      const route = path === GRAPHQL_PATH ? "graphql" : "other";
      metrics.observeRequest({ route, status: response.status, operation: state.operation, errorCodes: state.errorCodes, seconds });
      logger.info(
        {
          requestId: requestIdOf(serverContext as Observed, request),
          method: request.method,
          path: safePath(path),
          operation: state.operation ? (state.operation.name ?? "(anonymous)") : null,
          operationType: state.operation?.type ?? null,
          ...principalOf(serverContext as Observed),
          durationMs: Math.round(seconds * 10_000) / 10,
          status: response.status,
          result: state.errorCodes[0] ?? "OK",
        },
        "request",
      );
    },
  };
}

/** Who sent it: admin or customer (with their tenant), or anonymous (with the X-Tenant slug it named, if any). */
function principalOf(context: Observed) {
  if (context.admin) return { principal: "admin", tenantId: context.admin.tenantId };
  if (context.customer) return { principal: "customer", tenantId: context.customer.tenantId };
  return { principal: "anonymous", tenantId: null, ...(context.tenantSlug ? { tenantSlug: context.tenantSlug } : {}) };
}

/** The id the context gave the request (the audit trail's), or, for a request refused before it had one, a valid X-Request-Id or a new one. */
function requestIdOf(context: Observed, request: Request): string | null {
  const built = context.request as { requestId?: unknown } | undefined;
  if (typeof built?.requestId === "string") return built.requestId;
  return requestInfo(request, undefined, false).requestId;
}

/**
 * yoga's own logger, on pino. yoga reports every error it masks at error level, expected ones
 * included (a typed NOT_FOUND, a validation failure, a rate limit); only errors that leave as
 * INTERNAL_SERVER_ERROR are logged as errors here, with their stack. The others are the client's
 * and already on the request line.
 */
export function yogaLogger(logger: Logger): YogaLogger {
  const text = (args: unknown[]) => args.map(String).join(" ");
  return {
    debug: (...args) => logger.debug(text(args)),
    info: (...args) => logger.info(text(args)),
    warn: (...args) => logger.warn(text(args)),
    error: (...args) => {
      const [error] = args;
      if (normalizeError(error).extensions.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error }, "unexpected error");
      else logger.debug({ code: normalizeError(error).extensions.code }, "expected error");
    },
  };
}
