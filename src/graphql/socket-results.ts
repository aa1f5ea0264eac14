import type { ExecutionResult } from "graphql";
import type { WebSocket } from "ws";
import { serializeResult } from "./shared-subscriptions.ts";

const DONE = { done: true, value: undefined } as const;

/**
 * A subscription's results written to its graphql-ws socket here, each as one `next` message
 * built around the result's shared JSON (serializeResult: once per result, however many sockets
 * send it) instead of graphql-ws stringifying the same result again for every socket. graphql-ws
 * still owns the operation: it iterates what this returns (which yields nothing), sends `complete`
 * or `error` when it ends and calls return() on `complete` or a closed socket.
 *
 * Each write is awaited before the next result is taken, as graphql-ws does: a socket that does not
 * drain stops pulling, so the stream's per-subscriber bound (slow consumer) keeps applying.
 * Written by hand rather than as an async generator so that return() stops at once: a generator
 * parked in `await` would run it only after the next event, and write that event first.
 */
export function writtenToSocket(source: AsyncIterable<ExecutionResult>, socket: WebSocket, id: string): AsyncIterableIterator<never> {
  const iterator = source[Symbol.asyncIterator]();
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  let done = false;
  const finish = () => {
    done = true;
    // Not awaited: the source may be parked in a pending next().
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
    return DONE;
  };
  const write = (message: string) =>
    new Promise<void>((resolve, reject) => socket.send(message, (error) => (error ? reject(error) : resolve())));
  return {
    async next() {
      while (!done) {
        const item = await iterator.next();
        if (item.done) break;
        if (done || socket.readyState !== socket.OPEN) return finish();
        await write(`${prefix}${serializeResult(item.value)}}`);
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
