import type { IncomingMessage, Server, ServerResponse } from "node:http";

/**
 * Graceful shutdown of the HTTP side: `track` watches the server's GraphQL-over-SSE responses, and
 * `drain` stops accepting connections, ends those streams (an SSE client sees the stream end and
 * reconnects elsewhere with its cursor), closes the graphql-ws sockets (`closeSockets`: close code
 * 1001 Going Away, which clients retry), lets in-flight requests finish for up to `timeoutMs`,
 * then cuts whatever connections are left.
 */
export function httpDrain(server: Server) {
  const streams = new Set<ServerResponse>();
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    if (!request.headers.accept?.includes("text/event-stream")) return;
    streams.add(response);
    response.once("close", () => streams.delete(response));
  });
  return async function drain(closeSockets: () => Promise<void>, timeoutMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closeSockets();
    for (const response of streams) response.end();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([closed, timedOut]);
    clearTimeout(timer);
    server.closeAllConnections();
    await closed;
  };
}
