// One gateway node for bench/fanout.ts, in its own process so that subscribers and producer do
// not share its event loop. Prints "READY <url>" once listening.
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";

const app = await createApp({
  config: loadConfig({ ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "error", BOOTSTRAP: "false" }),
});
console.log(`READY ${await app.start()}`);
process.on("SIGTERM", async () => {
  await app.stop();
  process.exit(0);
});
