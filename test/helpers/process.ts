import { spawn, type ChildProcess } from "node:child_process";

/**
 * A real gateway process (`npm start`'s entry: node --import tsx --import ./src/tracing.ts src/main.ts) on `databaseUrl`,
 * production mode, no Redis, no bootstrap, a free port; `env` adds or overrides variables (the
 * workers under test). `url` resolves when it prints where it listens, rejects if it exits first.
 * Crash tests kill it with SIGKILL and start another on the same database.
 */
export function startGatewayProcess(databaseUrl: string, env: Record<string, string>): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, ["--import", "tsx", "--import", "./src/tracing.ts", "src/main.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      REDIS_URL: "",
      PORT: "0",
      HOST: "127.0.0.1",
      BOOTSTRAP: "false",
      LOG_LEVEL: "error",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(out);
      if (found) resolve(found[1]!);
    });
    child.once("exit", (code) => reject(new Error(`gateway exited (${code}) before listening: ${out}`)));
  });
  return { child, url };
}
