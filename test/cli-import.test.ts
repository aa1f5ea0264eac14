import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useCliDatabase } from "./helpers/cli-process.ts";

// `npm run cli -- import`, run as the separate process an operator starts, on its own embedded
// database (DATA_DIR): the same service as the API, a progress line on stderr, the summary on
// stdout, row errors in <file>.errors.csv, exit code 1 when a row failed. On the postgres project
// the CLI opens a fresh PostgreSQL database by DATABASE_URL instead.

const { dataDir, cli: runCli } = useCliDatabase("cli-import-");
const cli = (...args: string[]) => runCli(args);

describe("npm run cli -- import", () => {
  it("imports a file into the tenant, writes the row errors next to it, and is idempotent", async () => {
    expect((await cli("tenant", "create", "acme")).code).toBe(0);
    const file = join(dataDir, "people.csv");
    writeFileSync(file, "uid,email,firstName\ncli-1,cli1@example.com,Ann\ncli-2,not-an-email,Bob\ncli-3,cli3@example.com,Cy\n");
    const first = await cli("import", file, "--tenant", "acme");
    expect(first.stdout).toContain("COMPLETED: 3 rows read, 2 imported, 0 updated, 0 skipped, 1 failed.");
    expect(first.stderr).toMatch(/3 rows read, 2 imported, 0 updated, 0 skipped, 1 failed \(\d+ rows\/s\)/);
    expect(first.code).toBe(1);
    expect(readFileSync(`${file}.errors.csv`, "utf8")).toBe("row,field,message\r\n2,email,not a valid email address\r\n");

    const good = join(dataDir, "good.ndjson");
    writeFileSync(good, '{"uid":"cli-1","email":"cli1@example.com"}\n{"uid":"cli-4","email":"cli4@example.com"}\n');
    const dry = await cli("import", good, "--tenant", "acme", "--dry-run");
    expect(dry).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("COMPLETED (dry run: nothing was written): 2 rows read, 1 imported, 0 updated, 1 skipped"),
    });
    const again = await cli("import", good, "--tenant", "acme", "--mode", "upsert", "--match", "email");
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining("2 rows read, 1 imported, 0 updated, 1 skipped, 0 failed.") });
    expect(existsSync(`${good}.errors.csv`)).toBe(false);
    expect((await cli("import", good, "--tenant", "nope")).stderr).toContain("TENANT_NOT_FOUND");
  }, 120_000);
});
