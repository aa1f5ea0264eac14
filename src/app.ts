import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import { adminFromHeaders } from "./admin-auth/credentials-header.ts";
import type { Config } from "./config.ts";
import { openDatabase, type Database } from "./db/database.ts";
import { createLocalEventBus, type EventBus } from "./events/bus.ts";
import type { GraphQLContext } from "./graphql/context.ts";
import { requestInfo } from "./graphql/request.ts";
import { exposeExpectedErrors } from "./graphql/mask-errors.ts";
import { schema } from "./graphql/schema.ts";

type ServerContext = { req: IncomingMessage; res: ServerResponse };

export interface App {
  yoga: YogaServerInstance<ServerContext, GraphQLContext>;
  database: Database;
  events: EventBus;
  /** Listens on config.port (0 = any free port); resolves with the GraphQL endpoint URL. */
  start(): Promise<string>;
  /** Stops listening and closes the database. */
  stop(): Promise<void>;
}

export interface AppOptions {
  config: Config;
  /** An already open database (tests); otherwise the configured one is opened and migrated. */
  database?: Database;
}

/** Builds the gateway without starting it: importing or creating never listens on a port. */
export async function createApp({ config, database: given }: AppOptions): Promise<App> {
  const database = given ?? (await openDatabase(config.database));
  const events = createLocalEventBus();
  const db = database.prisma;

  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: "/graphql",
    // GraphiQL's assets come from public CDNs, which the gateway's users may not reach.
    graphiql: false,
    // Unexpected errors are masked; expected ones (bad cursor, page too large…) keep their code.
    maskedErrors: { maskError: exposeExpectedErrors },
    logging: config.logLevel === "silent" ? false : config.logLevel,
    context: async ({ request, req }) => ({
      db,
      events,
      admin: await adminFromHeaders(db, (name) => request.headers.get(name)),
      request: requestInfo(request, req, config.trustProxy),
    }),
  });

  let server: Server | undefined;
  return {
    yoga,
    database,
    events,
    async start() {
      server = createServer(yoga);
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(config.port, config.host, resolve);
      });
      const { port } = server.address() as AddressInfo;
      const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
      return `http://${host}:${port}/graphql`;
    },
    async stop() {
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      await events.close();
      if (!given) await database.close();
    },
  };
}
