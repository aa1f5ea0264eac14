import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase } from "./database.ts";

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `npm run cli -- …` as the separate process an operator starts (node --import tsx, as npm runs it),
 * on a database of the suite's own: embedded in a temporary DATA_DIR on the pglite project, a fresh
 * PostgreSQL database by DATABASE_URL on the postgres one. Registers its beforeAll/afterAll.
 */
export function useCliDatabase(prefix: string) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "silent", NODE_ENV: "test" };
  let target: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    target = await createTestDatabase();
    env.DATABASE_URL = target.url ?? "";
    // The CLI is the only client of this database: the test's own connections are not needed.
    if (target.url) await target.database.prisma.$disconnect();
  });
  afterAll(() => target?.close());

  /** Runs the CLI with `args`; `extra` adds or overrides variables. Never throws on a non-zero exit. */
  async function cli(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    try {
      const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
        env: { ...env, ...extra },
        timeout: 120_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as CliResult;
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  return { dataDir, cli, databaseUrl: () => target?.url ?? null };
}
