// One gateway node for bench/fanout.ts, in its own process so that subscribers and producer do
// not share its event loop. Prints "READY <url>" once listening. With FANOUT_CPU_PROFILE=<dir>,
// writes the node's CPU profile there when it stops (node:inspector; --cpu-prof cannot be passed
// through NODE_OPTIONS).
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";

const profileDir = process.env.FANOUT_CPU_PROFILE;
const session = profileDir ? new Session() : null;
if (session) {
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
}

const app = await createApp({
  config: loadConfig({ ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "error", BOOTSTRAP: "false" }),
});
console.log(`READY ${await app.start()}`);
process.on("SIGTERM", async () => {
  if (session) {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(`${profileDir}/node-${process.pid}.cpuprofile`, JSON.stringify(profile));
  }
  await app.stop();
  process.exit(0);
});
