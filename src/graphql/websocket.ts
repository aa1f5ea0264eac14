import type { Server } from "node:http";
import type { IncomingMessage } from "node:http";
import type { ExecutionResult, GraphQLError } from "graphql";
import { CloseCode, type Context, type SubscribePayload } from "graphql-ws";
import { useServer, type Extra as WsExtra } from "graphql-ws/use/ws";
import { isAsyncIterable, type YogaServerInstance } from "graphql-yoga";
import { WebSocketServer, type WebSocket } from "ws";
import type { LiveConnections } from "./live-connections.ts";
import type { AdminPrincipal } from "../service-context.ts";
import type { RequestInfo } from "../service-context.ts";
import { unauthenticated } from "./auth-errors.ts";
import type { GraphQLContext, ServerContext } from "./context.ts";
import { normalizeError } from "./mask-errors.ts";
import { requestInfo } from "./request.ts";
import { socketHeaders, type HeaderGetter } from "./socket-credentials.ts";
import type { SocketContext } from "./socket-context.ts";
import { writtenToSocket } from "./socket-results.ts";

interface Options {
  /**
   * Checks the credential of connection_init, read through `header` (see socket-credentials.ts);
   * `request` says who sent it (for the security log). Null: no credential given; a wrong one throws.
   */
  authenticate(header: HeaderGetter, request: RequestInfo): Promise<AdminPrincipal | null>;
  trustProxy: boolean;
  /** Where open sockets are registered so that revoking their credential closes them. */
  live: LiveConnections;
}

// 4403 Forbidden, as for a wrong credential at connection_init: the client must not reconnect with it.
const REVOKED = { code: CloseCode.Forbidden, reason: "Forbidden: credential revoked" } as const;

type Yoga = YogaServerInstance<ServerContext, GraphQLContext>;
type Params = Record<string, unknown> | undefined;
type Extra = { request: IncomingMessage; admin?: AdminPrincipal | null };
/** graphql-ws's context of one socket, as useServer hands it to onConnect and onSubscribe. */
type SocketConnection = Context<Params, WsExtra & Partial<Extra>>;
/** yoga's enveloped execute and subscribe of one operation and where its results go, passed to graphql-ws as its rootValue. */
type EnvelopedRoot = Pick<ReturnType<Yoga["getEnveloped"]>, "execute" | "subscribe"> & { socket: WebSocket; id: string };

/**
 * graphql-ws on the gateway's /graphql path. The admin credential travels in connection_init's
 * payload (`{"x-api-key": …, "x-api-secret": …}`, or the console's `{"x-console-store": …,
 * "x-csrf-token": …}` with the session cookie of the upgrade request) and is checked at
 * connection_init: none closes the socket with 4401, a wrong one with 4403, before any operation
 * runs. After that, each operation re-checks the credential (at most REVOCATION_BOUND_MS stale)
 * and revoking it (an API key revoked, a console session signed out or its member disabled)
 * closes the socket with 4403 (see admin-auth/live-connections.ts). Returns a function closing
 * all sockets.
 */
export function attachWebSockets(server: Server, yoga: Yoga, options: Options): () => Promise<void> {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const cleanup = useServer<Params, Extra>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => subscribeOnSocket(args.rootValue as EnvelopedRoot, args),
      onConnect: (ctx) => authenticateSocket(ctx, options),
      onSubscribe: (ctx, id, payload) => prepareOperation(ctx, id, payload, yoga, options),
    },
    wss,
  );
  return async () => {
    await cleanup.dispose();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
}

/** connection_init: checks the credential and tracks the socket under it; false refuses the socket. */
async function authenticateSocket(ctx: SocketConnection, options: Options): Promise<boolean> {
  const upgrade = ctx.extra.request;
  let admin: AdminPrincipal | null;
  try {
    admin = await options.authenticate(
      socketHeaders(ctx.connectionParams, upgrade, options.trustProxy),
      requestInfo(asFetchRequest(upgrade), upgrade, options.trustProxy),
    );
  } catch {
    return false; // graphql-ws closes with 4403 Forbidden
  }
  if (!admin) {
    ctx.extra.socket.close(
      CloseCode.Unauthorized,
      "Unauthorized: send x-api-key and x-api-secret (or the console's session) in connection params",
    );
    return false;
  }
  ctx.extra.admin = admin;
  const socket = ctx.extra.socket;
  // Hung up while we were checking: its "close" has fired already and would never untrack it.
  if (socket.readyState !== socket.OPEN) return false;
  const untrack = options.live.track(admin, "websocket", () => socket.close(REVOKED.code, REVOKED.reason));
  socket.once("close", untrack);
  return true;
}

/**
 * subscribe: re-checks the socket's credential, then parses and validates the operation through
 * yoga's envelop with a SocketContext (see context.ts), or answers with the errors.
 */
async function prepareOperation(ctx: SocketConnection, id: string, payload: SubscribePayload, yoga: Yoga, options: Options) {
  // Refused with UNAUTHENTICATED; stillValid then closes the socket right after the answer.
  if (!ctx.extra.admin || !(await options.live.stillValid(ctx.extra.admin))) {
    return [unauthenticated("The credential of this connection was revoked")];
  }
  const request = asFetchRequest(ctx.extra.request);
  const socketContext: SocketContext = {
    socketAdmin: ctx.extra.admin ?? null,
    socketRequest: requestInfo(request, ctx.extra.request, options.trustProxy),
  };
  const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
    ...ctx,
    req: ctx.extra.request,
    socket: ctx.extra.socket,
    params: payload,
    ...socketContext,
  });
  let document;
  try {
    document = parse(payload.query);
  } catch (error) {
    return [normalizeError(error)];
  }
  const errors: readonly GraphQLError[] = validate(schema, document);
  // Not map(normalizeError): the index would arrive as its logInternal argument.
  if (errors.length > 0) return errors.map((error) => normalizeError(error));
  const rootValue: EnvelopedRoot = { execute, subscribe, socket: ctx.extra.socket, id };
  return {
    schema,
    operationName: payload.operationName,
    document,
    variableValues: payload.variables,
    contextValue: await contextFactory(),
    rootValue,
  };
}

/** A subscription's results go out through writtenToSocket: one JSON per result, whatever the number of sockets. */
async function subscribeOnSocket(root: EnvelopedRoot, args: Parameters<EnvelopedRoot["subscribe"]>[0]) {
  const result = await root.subscribe(args);
  return isAsyncIterable<ExecutionResult>(result) ? writtenToSocket(result, root.socket, root.id) : result;
}

/** The upgrade request of a socket as a fetch Request (what requestInfo reads headers from). */
function asFetchRequest(req: IncomingMessage): Request {
  return new Request(`http://gateway${req.url ?? "/graphql"}`, {
    headers: Object.entries(req.headers).flatMap(([k, v]): [string, string][] => (typeof v === "string" ? [[k, v]] : [])),
  });
}
