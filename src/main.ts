import "./threadpool.ts"; // first: sizes libuv's thread pool before anything starts it
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { bootstrapDefaultTenant } from "./tenants/service.ts";
import { stopTracing } from "./tracing.ts";

try {
  const config = loadConfig();
  const app = await createApp({ config });
  if (config.bootstrap) {
    const created = await bootstrapDefaultTenant(app.database.prisma, app.events);
    if (created) {
      console.log(
        [
          "",
          `Fresh database: created tenant "${created.tenant.slug}" with an admin credential.`,
          "Save the secret now; it is stored only as a hash and will not be shown again.",
          `  X-API-Key:    ${created.credential.keyId}`,
          `  X-API-Secret: ${created.secret}`,
          "",
        ].join("\n"),
      );
    }
  }
  const url = await app.start();
  const where = config.database.kind === "pglite" ? `embedded PGlite in ${config.database.dataDir}` : "PostgreSQL";
  console.log(`Identity gateway listening on ${url} (${where})`);
  if (config.playground) console.log(`Playground: open ${url} in a browser`);
  const shutdown = async () => {
    await app.stop();
    await stopTracing();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
