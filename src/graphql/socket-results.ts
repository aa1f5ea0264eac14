import type { ExecutionResult } from "graphql";
import type { WebSocket } from "ws";
import { serializeResult } from "./shared-subscriptions.ts";

const DONE = { done: true, value: undefined } as const;
const SUFFIX = Buffer.from("}");
const TEXT = { binary: false } as const;

/**
 * A subscription's results written to its graphql-ws socket here, each as one `next` message
 * built around the result's shared JSON bytes (serializeResult: once per result, however many
 * sockets send it) instead of graphql-ws stringifying the same result again for every socket.
 * graphql-ws still owns the operation: it iterates what this returns (which yields nothing), sends
 * `complete` or `error` when it ends and calls return() on `complete` or a closed socket.
 *
 * The next result is taken only once the socket has handed everything to the kernel (a write that
 * leaves bytes queued in the process is awaited, as graphql-ws awaits every write): a socket that
 * does not drain stops pulling, so the stream's per-subscriber bound (slow consumer) keeps
 * applying, and what waits in this process per socket is at most one message.
 * Written by hand rather than as an async generator so that return() stops at once: a generator
 * parked in `await` would run it only after the next event, and write that event first.
 */
export function writtenToSocket(source: AsyncIterable<ExecutionResult>, socket: WebSocket, id: string): AsyncIterableIterator<never> {
  const iterator = source[Symbol.asyncIterator]();
  const prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  let done = false;
  const finish = () => {
    done = true;
    // Not awaited: the source may be parked in a pending next().
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
    return DONE;
  };
  // One callback for every write of this subscription; a promise only while a write is waited for.
  let failed: Error | undefined;
  let flushed: (() => void) | undefined;
  const afterWrite = (error?: Error) => {
    failed ??= error;
    const resolve = flushed;
    flushed = undefined;
    resolve?.();
  };
  return {
    async next() {
      while (!done) {
        const item = await iterator.next();
        if (item.done) break;
        if (done || socket.readyState !== socket.OPEN) return finish();
        socket.send(Buffer.concat([prefix, serializeResult(item.value), SUFFIX]), TEXT, afterWrite);
        if (socket.bufferedAmount > 0) await new Promise<void>((resolve) => (flushed = resolve));
        if (failed) throw failed;
      }
      done = true;
      return DONE;
    },
    async return() {
      return finish();
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
