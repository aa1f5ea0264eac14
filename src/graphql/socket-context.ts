import type { AdminPrincipal, RequestInfo } from "../service-context.ts";

// Apart from websocket.ts so that context.ts can read it while websocket.ts types yoga with
// context.ts's types, without the two importing each other.

/** What a WebSocket operation adds to yoga's initial context. */
export interface SocketContext {
  socketAdmin: AdminPrincipal | null;
  socketRequest: RequestInfo;
}

/** Whether a yoga context belongs to a graphql-ws operation (see prepareOperation in websocket.ts). */
export const isSocketContext = (context: object): boolean => "socketAdmin" in context;
