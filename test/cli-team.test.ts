import { describe, expect, it } from "vitest";
import { useCliDatabase } from "./helpers/cli-process.ts";

// `npm run cli -- team …` as the process an operator runs: the README's commands as written. What a
// member can do once signed in is tested over HTTP (test/console-session.test.ts) and in Chromium.

const { cli } = useCliDatabase("cli-team-");

describe("npm run cli -- team", () => {
  it("adds a member with a generated password shown once, grants, lists and disables", async () => {
    expect((await cli(["tenant", "create", "default"])).code).toBe(0);
    const scopes = "CUSTOMERS_READ,CUSTOMERS_WRITE,AUDIT_READ";
    const added = await cli([
      "team",
      "add",
      "--email",
      "sam@example.com",
      "--name",
      "Sam Support",
      "--tenant",
      "default",
      "--scopes",
      scopes,
    ]);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      /^Added Sam Support <sam@example\.com> — the console password is shown only now:\n {2}[A-Za-z0-9_-]{20}\n$/,
    );
    expect((await cli(["team", "add", "--email", "SAM@example.com", "--name", "Again"])).stderr).toContain("VALIDATION_FAILED");

    const granted = await cli(["team", "grant", "--email", "sam@example.com", "--tenant", "default", "--scopes", "CUSTOMERS_READ"]);
    expect(granted.stdout).toBe("Granted CUSTOMERS_READ in default to sam@example.com.\n");
    expect((await cli(["team", "grant", "--email", "sam@example.com", "--tenant", "nope"])).stderr).toContain("TENANT_NOT_FOUND");
    expect((await cli(["team", "grant", "--email", "nobody@example.com", "--tenant", "default"])).stderr).toContain(
      "TEAM_MEMBER_NOT_FOUND",
    );
    expect((await cli(["team", "list"])).stdout).toBe('sam@example.com  "Sam Support"  default:CUSTOMERS_READ\n');

    expect((await cli(["team", "disable", "--email", "sam@example.com"])).stdout).toBe(
      "Disabled sam@example.com; ended 0 console session(s).\n",
    );
    expect((await cli(["team", "list"])).stdout).toMatch(/default:CUSTOMERS_READ {2}disabled \d{4}-/);
    expect((await cli(["team", "nothing"])).code).toBe(2);
  }, 240_000);
});
