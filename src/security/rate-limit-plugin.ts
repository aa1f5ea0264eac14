import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import { adminActor, type AdminPrincipal } from "../service-context.ts";
import { RateLimitedError } from "../errors.ts";
import type { RequestInfo } from "../service-context.ts";
import type { SecurityLog } from "./events.ts";
import { consume } from "./limiters.ts";
import type { RateLimits } from "./rate-limits.ts";

/** Per request: the longest wait any limited field of it asked for (null: nothing was limited). */
export interface RetryAfter {
  seconds: number | null;
}

/** What the plugin reads from the GraphQL context. */
interface LimitedContext {
  admin: AdminPrincipal | null;
  request: RequestInfo;
  retryAfter: RetryAfter;
}

/**
 * Runs `work` (a resolver's service call) and notes a RateLimitedError it throws on the request,
 * so the HTTP answer becomes 429 with Retry-After while the field still answers its typed
 * RATE_LIMITED result. Rethrows everything.
 */
export async function noteRateLimit<T>(ctx: { retryAfter: RetryAfter }, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RateLimitedError) ctx.retryAfter.seconds = Math.max(ctx.retryAfter.seconds ?? 0, error.retryAfter);
    throw error;
  }
}

/**
 * Yoga plugin: (1) admin traffic takes one point per root field (aliases count, so does every
 * operation of a batch) from the credential's budget; over it, the operation answers one
 * RATE_LIMITED error with extensions.retryAfter and nothing runs. (2) A request with a limited
 * field answers HTTP 429 with Retry-After (yoga takes status and headers from extensions.http and
 * strips them from the body). Cost: one limiter round trip per admin operation.
 */
export function useRateLimits(limits: RateLimits, security: SecurityLog): Plugin<LimitedContext> {
  const admin = limits.limiter("adminPerCredential");
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as LimitedContext;
      const principal = ctx.admin;
      if (principal) {
        const wait = await consume(admin, principal.credentialId, rootFieldCount(args.document, args.operationName));
        if (wait !== null) {
          security.record({
            kind: "rate_limited",
            tenantId: principal.tenantId,
            subject: `adminPerCredential:${principal.credentialId}`,
            actor: adminActor(principal),
            request: ctx.request,
            data: { limit: "adminPerCredential", keyId: principal.keyId, retryAfter: wait },
          });
          const error = createGraphQLError(`Too many requests for this credential: try again in ${wait} s`, {
            extensions: { code: "RATE_LIMITED", retryAfter: wait },
          });
          setResultAndStopExecution({ errors: [error], extensions: { http: tooMany(wait) } });
          return;
        }
      }
      return {
        onExecuteDone({ result, setResult }) {
          const seconds = ctx.retryAfter.seconds;
          if (seconds === null || !("data" in result)) return;
          setResult({ ...result, extensions: { ...result.extensions, http: tooMany(seconds) } });
        },
      };
    },
  };
}

const tooMany = (seconds: number) => ({ status: 429, headers: { "Retry-After": String(seconds) } });

/** Root fields the operation will run, aliases and fragments included (each at least 1). */
function rootFieldCount(document: DocumentNode, operationName?: string | null): number {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [])),
  );
  const count = (set: SelectionSetNode, seen: Set<string>): number =>
    set.selections.reduce((sum, s) => {
      if (s.kind === Kind.FIELD) return sum + 1;
      if (s.kind === Kind.INLINE_FRAGMENT) return sum + count(s.selectionSet, seen);
      const fragment = fragments.get(s.name.value);
      if (!fragment || seen.has(s.name.value)) return sum;
      return sum + count(fragment, new Set([...seen, s.name.value]));
    }, 0);
  return Math.max(1, operation ? count(operation.selectionSet, new Set()) : 1);
}
