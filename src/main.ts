import "./threadpool.ts"; // first: sizes libuv's thread pool before anything starts it
import { createApp, type App } from "./app.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { whereTo } from "./connections.ts";
import { CONSOLE_PATH } from "./console/static.ts";
import { bootstrapDefaultTenant } from "./tenants/service.ts";
import { bootstrapFirstMember } from "./team/service.ts";
import { stopTracing } from "./tracing.ts";

// Start-up order: open the database and Redis (one line naming the variable if either cannot be
// reached), listen, and only then bootstrap: a process that cannot serve never prints the one-time
// admin secret (it would die with it, and the next start, finding the tenant, prints none).

try {
  const config = loadConfig();
  const app = await createApp({ config });
  const url = await listenOrExit(app, config);
  if (config.bootstrap) await bootstrap(app, config);
  console.log(`Identity gateway listening on ${url} (${describeBackends(config)})`);
  if (config.playground) console.log(`Playground: open ${url} in a browser`);
  if (config.console) console.log(`Admin console: open ${new URL(CONSOLE_PATH, url).href} in a browser`);
  stopOnSignals(app);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

async function listenOrExit(app: App, config: Config): Promise<string> {
  try {
    return await app.start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EADDRINUSE" && code !== "EACCES" && code !== "EADDRNOTAVAIL") throw error;
    await app.stop();
    const problem = code === "EADDRINUSE" ? "is in use" : code === "EACCES" ? "needs privileges" : "is not on this machine";
    console.error(code === "EADDRNOTAVAIL" ? `address ${config.host} ${problem} (HOST)` : `port ${config.port} ${problem} (PORT)`);
    process.exit(1);
  }
}

async function bootstrap(app: App, config: Config): Promise<void> {
  const created = await bootstrapDefaultTenant(app.database.prisma, app.events);
  if (!created) return;
  const member = config.console ? await bootstrapFirstMember(app.database.prisma, config.auth.argon2, created.tenant.id) : null;
  console.log(
    [
      "",
      `Fresh database: created tenant "${created.tenant.slug}" with an admin credential.`,
      "Save the secret now; it is stored only as a hash and will not be shown again.",
      `  X-API-Key:    ${created.credential.keyId}`,
      `  X-API-Secret: ${created.secret}`,
      ...(member
        ? [
            "Admin console sign-in (shown once; add members with `npm run cli -- team add`):",
            `  Email:    ${member.email}`,
            `  Password: ${member.password}`,
          ]
        : []),
      "",
    ].join("\n"),
  );
}

/** Which database and event bus this node uses, without passwords. */
function describeBackends(config: Config): string {
  const database =
    config.database.kind === "pglite" ? `embedded PGlite in ${config.database.dataDir}` : `PostgreSQL ${whereTo(config.database.url)}`;
  const fanOut = config.redisUrl ? `Redis fan-out via ${whereTo(config.redisUrl)}` : "no Redis: events stay in this process";
  return `${database}, ${fanOut}`;
}

/**
 * SIGTERM/SIGINT: graceful stop (App.stop: stop accepting, end streams, close sockets with 1001,
 * drain in-flight requests, stop workers), flush the log, exit 0. A second signal exits at once.
 */
function stopOnSignals(app: App): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: stopping (in-flight requests may finish; a second signal exits at once)`);
    app
      .stop()
      .then(stopTracing)
      .then(() => new Promise<void>((resolve) => app.logger.flush(() => resolve())))
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error("shutdown failed:", error);
          process.exit(1);
        },
      );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
