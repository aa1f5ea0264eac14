import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useCliDatabase } from "./helpers/cli-process.ts";

// `npm run cli -- pii encrypt-existing` as the process an operator runs. What it seals and how is
// tested in-process (test/pii-at-rest.test.ts, test/pii-at-rest-phones.test.ts); here: the command.

const { cli: run, databaseUrl } = useCliDatabase("cli-pii-");
const MASTER_KEY = randomBytes(32).toString("base64");
const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => run(args, { MASTER_KEY, ...extra });

describe("npm run cli -- pii encrypt-existing", () => {
  it("seals per tenant and says how much, refuses an unknown tenant, and needs a master key", async () => {
    expect((await cli(["tenant", "create", "acme"])).code).toBe(0);
    const all = await cli(["pii", "encrypt-existing"]);
    expect(all).toMatchObject({ code: 0, stdout: "Sealed the profile PII of 0 customer(s) and 0 phone number(s) in 1 tenant(s).\n" });
    expect((await cli(["pii", "encrypt-existing", "--tenant", "acme"])).stdout).toContain("in 1 tenant(s)");
    const unknown = await cli(["pii", "encrypt-existing", "--tenant", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("TENANT_NOT_FOUND");
    expect((await cli(["pii", "nothing"])).code).toBe(2);
    // On PostgreSQL a MASTER_KEY is never generated (PGlite's is, into DATA_DIR): without one there is nothing to seal with.
    if (databaseUrl()) {
      const keyless = await cli(["pii", "encrypt-existing"], { MASTER_KEY: "" });
      expect(keyless.code).toBe(2);
      expect(keyless.stdout).toContain("needs MASTER_KEY");
    }
  }, 240_000);
});
