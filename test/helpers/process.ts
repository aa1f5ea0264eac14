import { spawn, type ChildProcess } from "node:child_process";

export interface GatewayProcess {
  child: ChildProcess;
  /** Resolves with the GraphQL URL when it prints where it listens; rejects if it exits first. */
  url: Promise<string>;
  /** Everything it wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Its exit code (null: killed by a signal). */
  exited: Promise<number | null>;
}

/**
 * A real gateway process (`npm start`'s entry: node --import tsx --import ./src/tracing.ts src/main.ts) on `databaseUrl`
 * ("" = PGlite in DATA_DIR, given in `env`), production mode, no Redis, no bootstrap, a free port;
 * `env` adds or overrides variables (the workers under test). Crash tests kill it with SIGKILL and
 * start another on the same database.
 */
export function startGatewayProcess(databaseUrl: string, env: Record<string, string>): GatewayProcess {
  return spawnGateway([process.execPath, "--import", "tsx", "--import", "./src/tracing.ts", "src/main.ts"], {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    REDIS_URL: "",
    PORT: "0",
    HOST: "127.0.0.1",
    BOOTSTRAP: "false",
    LOG_LEVEL: "error",
    ...env,
  });
}

/** Runs `command` (a gateway entry: node or npm start) with `env` over this process's environment. */
export function spawnGateway([command, ...args]: string[], env: Record<string, string>): GatewayProcess {
  const child = spawn(command!, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      out += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(out);
      if (found) resolve(found[1]!);
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    void exited.then((code) => reject(new Error(`gateway exited (${code}) before listening: ${out}`)));
  });
  url.catch(() => undefined); // tests that expect an early exit await `exited` instead
  return { child, url, exited, output: () => out };
}
