import type { Server } from "node:http";
import type { IncomingMessage } from "node:http";
import { CloseCode } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import type { YogaServerInstance } from "graphql-yoga";
import { WebSocketServer } from "ws";
import type { AdminPrincipal } from "../admin-auth/service.ts";
import type { RequestInfo } from "../service-context.ts";
import { normalizeError } from "./mask-errors.ts";
import { requestInfo } from "./request.ts";

/** What a WebSocket operation adds to yoga's initial context. */
export interface SocketContext {
  socketAdmin: AdminPrincipal | null;
  socketRequest: RequestInfo;
}

interface Options {
  authenticate(params: Record<string, unknown> | undefined): Promise<AdminPrincipal | null>;
  trustProxy: boolean;
}

type Extra = { request: IncomingMessage; admin?: AdminPrincipal | null };

/**
 * graphql-ws on the gateway's /graphql path. The admin credential travels in connection_init's
 * payload (`{"x-api-key": …, "x-api-secret": …}`) and is checked once: none closes the socket with
 * 4401, a wrong one with 4403, before any operation runs. Returns a function closing all sockets.
 */
export function attachWebSockets(server: Server, yoga: YogaServerInstance<any, any>, options: Options): () => Promise<void> {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const cleanup = useServer<Record<string, unknown> | undefined, Extra>(
    {
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      onConnect: async (ctx) => {
        const params = ctx.connectionParams;
        const given = Object.keys(params ?? {}).some((k) => /^x-api-(key|secret)$/i.test(k));
        if (!given) {
          ctx.extra.socket.close(CloseCode.Unauthorized, "Unauthorized: send x-api-key and x-api-secret in connection params");
          return false;
        }
        try {
          ctx.extra.admin = await options.authenticate(params);
        } catch {
          ctx.extra.admin = null;
        }
        // Returning false makes graphql-ws close with 4403 Forbidden.
        return ctx.extra.admin != null;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const request = new Request(`http://gateway${ctx.extra.request.url ?? "/graphql"}`, {
          headers: Object.entries(ctx.extra.request.headers).flatMap(([k, v]): [string, string][] => (typeof v === "string" ? [[k, v]] : [])),
        });
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          socketAdmin: ctx.extra.admin ?? null,
          socketRequest: requestInfo(request, ctx.extra.request, options.trustProxy),
        });
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [normalizeError(error)];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors.map(normalizeError);
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
    },
    wss,
  );
  return async () => {
    await cleanup.dispose();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
}
