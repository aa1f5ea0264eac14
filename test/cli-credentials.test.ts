import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useCliDatabase } from "./helpers/cli-process.ts";

// `npm run cli -- credential list` and the CLI's data folder check, as the separate process an
// operator runs (its own embedded database in DATA_DIR; a fresh PostgreSQL database on the postgres project).

const { dataDir, cli } = useCliDatabase("cli-credentials-");

describe("npm run cli -- credential list", () => {
  it("lists the tenant's credentials with key id, name, scopes, times and revocation, never a secret", async () => {
    const created = await cli(["tenant", "create", "acme"]);
    expect(created.code).toBe(0);
    const first = /X-API-Key:\s+(\S+)/.exec(created.stdout)![1]!;
    const issued = await cli(["credential", "create", "--tenant", "acme", "--name", "dashboard", "--scopes", "AUDIT_READ"]);
    const second = /X-API-Key:\s+(\S+)/.exec(issued.stdout)![1]!;
    const secret = /X-API-Secret:\s+(\S+)/.exec(issued.stdout)![1]!;
    expect((await cli(["credential", "revoke", "--tenant", "acme", second])).code).toBe(0);

    const listed = await cli(["credential", "list", "--tenant", "acme"]);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${first}  "initial admin"  \\S*TENANT_ADMIN\\S*  created \\S+Z  never used$`));
    expect(lines[1]).toMatch(new RegExp(`^${second}  "dashboard"  AUDIT_READ  created \\S+Z  never used  revoked \\S+Z$`));
    expect(listed.stdout).not.toContain(secret);
    expect(listed.stdout).not.toMatch(/sk_/);
    expect((await cli(["credential", "list", "--tenant", "nope"])).stderr).toContain("TENANT_NOT_FOUND");
  }, 240_000);
});

describe("the CLI's data folder", () => {
  it("refuses a DATA_DIR or --data-dir that holds no database instead of creating an empty one", async () => {
    const nowhere = join(dataDir, "nowhere");
    const byVariable = await cli(["tenant", "list"], { DATABASE_URL: "", DATA_DIR: nowhere });
    expect(byVariable.code).toBe(2);
    expect(byVariable.stderr).toContain(`No embedded database in ${nowhere} (DATA_DIR)`);
    const byFlag = await cli(["credential", "list", "--tenant", "acme", "--data-dir", nowhere], { DATABASE_URL: "" });
    expect(byFlag.code).toBe(2);
    expect(existsSync(nowhere)).toBe(false);
  }, 240_000);

  it("names DATABASE_URL in one line, without the password, when PostgreSQL cannot be reached", async () => {
    const result = await cli(["tenant", "list"], { DATABASE_URL: "postgresql://gw:pa55word@127.0.0.1:1/gw" });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe("DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:1/gw (connect ECONNREFUSED 127.0.0.1:1)");
  }, 240_000);
});
