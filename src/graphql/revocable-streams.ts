import type { ExecutionResult } from "graphql";
import { isAsyncIterable, type Plugin } from "graphql-yoga";
import type { LiveConnections } from "./live-connections.ts";
import { unauthenticated } from "./auth-errors.ts";
import type { GraphQLContext } from "./context.ts";
import { isSocketContext } from "./socket-context.ts";

/**
 * Ends every subscription stream served over HTTP (GraphQL over SSE) once its admin credential is
 * revoked: the stream yields one UNAUTHENTICATED error and completes, so the response ends. It
 * wraps the result of `subscribe`, so any subscription field gets this without doing anything.
 * graphql-ws sockets are tracked whole in websocket.ts (revocation closes the socket) and skipped.
 */
export function useRevocableStreams(live: LiveConnections): Plugin<GraphQLContext> {
  return {
    onSubscribe({ args }) {
      const ctx = args.contextValue;
      if (!ctx.admin || isSocketContext(ctx)) return;
      const admin = ctx.admin;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable<ExecutionResult>(result)) return;
          let revoke!: (value: "revoked") => void;
          const revoked = new Promise<"revoked">((resolve) => (revoke = resolve));
          const untrack = live.track(admin, "sse", () => revoke("revoked"));
          setResult(untilRevoked(result, revoked, untrack));
        },
      };
    },
  };
}

const DONE = { done: true, value: undefined } as const;

/**
 * The source's results until `revoked` settles, then one UNAUTHENTICATED error and the end.
 * Written by hand rather than as an async generator: a generator parked in `await` runs return()
 * only after that await settles, so a client that hangs up would stay registered until the next
 * event; here return() unregisters at once.
 */
function untilRevoked(
  source: AsyncIterable<ExecutionResult>,
  revoked: Promise<"revoked">,
  untrack: () => void,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  let stop!: (value: "stopped") => void;
  const stopped = new Promise<"stopped">((resolve) => (stop = resolve));
  const finish = () => {
    if (done) return;
    done = true;
    untrack();
    stop("stopped");
    // Not awaited, for the same reason: the source may be parked in a pending next().
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  };
  return {
    async next() {
      if (done) return DONE;
      const next = await Promise.race([iterator.next(), revoked, stopped]);
      if (next === "stopped") return DONE;
      if (next === "revoked") {
        finish();
        return { done: false, value: { errors: [unauthenticated("The credential of this stream was revoked")] } };
      }
      if (next.done) finish();
      return next;
    },
    async return() {
      finish();
      return DONE;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
