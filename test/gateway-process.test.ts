import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "graphql-ws";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createTestDatabase } from "./helpers/database.ts";
import { spawnGateway, startGatewayProcess, type GatewayProcess } from "./helpers/process.ts";

// The gateway as an operator runs it: a real process, started and stopped with signals. A cold
// start on PGlite takes seconds (tens on a loaded machine), hence the long timeouts.
const SLOW = 240_000;

const cleanup: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

/** A fresh database the child process can open: a PGlite folder, or a new PostgreSQL database. */
async function freshDatabase(): Promise<{ DATABASE_URL: string; DATA_DIR: string }> {
  const folder = mkdtempSync(join(tmpdir(), "gw-process-"));
  cleanup.push(() => rmSync(folder, { recursive: true, force: true }));
  if (process.env.TEST_DB !== "postgres") return { DATABASE_URL: "", DATA_DIR: join(folder, "data") };
  const target = await createTestDatabase();
  cleanup.push(() => target.close());
  return { DATABASE_URL: target.url!, DATA_DIR: join(folder, "data") };
}

function start(env: Record<string, string>): GatewayProcess {
  const gateway = startGatewayProcess(env.DATABASE_URL ?? "", env);
  cleanup.push(() => void gateway.child.kill("SIGKILL"));
  return gateway;
}

const credentialIn = (output: string) => ({
  "x-api-key": /X-API-Key:\s+(\S+)/.exec(output)![1]!,
  "x-api-secret": /X-API-Secret:\s+(\S+)/.exec(output)![1]!,
});

/** A POST whose body arrives in two halves: in flight on the server until `finish()` sends the rest. */
function slowRequest(url: string, body: string) {
  let finish!: () => void;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on("error", reject);
    req.write(body.slice(0, 10));
    finish = () => req.end(body.slice(10));
  });
  return { response, finish: () => finish() };
}

describe("the gateway process", () => {
  it(
    "on SIGTERM lets an in-flight request finish, closes graphql-ws sockets with 1001, ends SSE streams and exits 0",
    async () => {
      const gateway = start({ ...(await freshDatabase()), BOOTSTRAP: "true", SHUTDOWN_TIMEOUT_MS: "10000" });
      const url = await gateway.url;
      const headers = credentialIn(gateway.output());
      const closed = new Promise<number>((resolve) => {
        const client = createClient({
          url: url.replace(/^http/, "ws"),
          webSocketImpl: WebSocket,
          connectionParams: headers,
          retryAttempts: 0,
        });
        client.on("closed", (event) => resolve((event as { code: number }).code));
        client.subscribe(
          { query: "subscription { auditEvents { cursor } }" },
          { next: () => undefined, error: () => undefined, complete: () => undefined },
        );
      });
      const sse = await fetch(url, {
        method: "POST",
        headers: { ...headers, accept: "text/event-stream", "content-type": "application/json" },
        body: JSON.stringify({ query: "subscription { auditEvents { cursor } }" }),
      });
      const sseEnded = sse.text();
      const slow = slowRequest(url, JSON.stringify({ query: "{ __typename }" }));
      await new Promise((r) => setTimeout(r, 300));

      gateway.child.kill("SIGTERM");
      expect(await closed).toBe(1001);
      await sseEnded;
      slow.finish();
      expect(await slow.response).toEqual({ status: 200, body: '{"data":{"__typename":"Query"}}' });
      expect(await gateway.exited).toBe(0);
      expect(gateway.output()).toContain("SIGTERM: stopping");
    },
    SLOW,
  );

  it(
    "on a busy port says so in one line, exits non-zero and prints no secret; the next start bootstraps",
    async () => {
      const busy = createServer();
      await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
      cleanup.push(() => new Promise((resolve) => busy.close(resolve)));
      const port = String((busy.address() as { port: number }).port);
      const database = await freshDatabase();

      const refused = start({ ...database, BOOTSTRAP: "true", PORT: port });
      expect(await refused.exited).toBe(1);
      expect(refused.output()).toContain(`port ${port} is in use (PORT)`);
      expect(refused.output()).not.toContain("X-API-Secret");

      const next = start({ ...database, BOOTSTRAP: "true" });
      const url = await next.url;
      expect(next.output()).toContain("X-API-Secret: sk_");
      // The first team member's console sign-in is printed once too, and works.
      const [email, password] = [/Email:\s+(\S+)/, /Password:\s+(\S+)/].map((re) => re.exec(next.output())![1]!);
      const session = await fetch(url.replace(/graphql$/, "console/session"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      });
      expect(session.status).toBe(200);
      expect(await session.json()).toMatchObject({ member: { email }, stores: [{ slug: "default" }] });
      next.child.kill("SIGTERM");
      expect(await next.exited).toBe(0);
    },
    SLOW,
  );

  it.each([
    ["DATABASE_URL", { DATABASE_URL: "postgresql://gw:pa55word@127.0.0.1:1/gw" }, "PostgreSQL at 127.0.0.1:1/gw"],
    ["REDIS_URL", { REDIS_URL: "redis://:pa55word@127.0.0.1:1" }, "Redis at 127.0.0.1:1"],
  ])(
    "names %s in one line and exits 2 when its server cannot be reached",
    async (variable, env, where) => {
      const gateway = start({ ...(await freshDatabase()), ...env });
      expect(await gateway.exited).toBe(2);
      const output = gateway.output().trim();
      expect(output.split("\n").at(-1)).toBe(`${variable}: cannot connect to ${where} (connect ECONNREFUSED 127.0.0.1:1)`);
      expect(output).not.toContain("pa55word");
      expect(output).not.toContain("    at ");
    },
    SLOW,
  );

  it(
    "started with npm start, stops with it: SIGTERM to npm leaves no node process behind",
    async () => {
      const { DATA_DIR } = await freshDatabase();
      const npm = spawnGateway(["npm", "start"], {
        DATABASE_URL: "",
        DATA_DIR,
        PORT: "0",
        HOST: "127.0.0.1",
        BOOTSTRAP: "false",
        LOG_LEVEL: "error",
      });
      cleanup.push(() => void npm.child.kill("SIGKILL"));
      await npm.url;
      const descendants = descendantsOf(npm.child.pid!);
      expect(descendants.length).toBeGreaterThan(0);
      npm.child.kill("SIGTERM");
      expect(await npm.exited).toBe(0);
      await new Promise((r) => setTimeout(r, 500));
      expect(descendants.filter(isAlive)).toEqual([]);
    },
    SLOW,
  );
});

/** Every process below `pid` (Linux /proc: each thread's children). */
function descendantsOf(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`)
    .flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/))
    .filter(Boolean)
    .map(Number);
  return children.flatMap((child) => [child, ...descendantsOf(child)]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
