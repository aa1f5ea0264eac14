import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useCliDatabase } from "./helpers/cli-process.ts";
import { signCheckpoints } from "../src/audit/checkpoints.ts";
import { openDatabase, type Database } from "../src/db/database.ts";
import { SigningKeyStore } from "../src/signing-keys/store.ts";

// `npm run cli -- audit verify` and `audit checkpoints`, run as the separate process an operator
// starts, on its own database (DATA_DIR on PGlite, a fresh PostgreSQL database otherwise). The test
// opens that database itself between runs to sign checkpoints and to tamper.

const { dataDir, cli: runCli, databaseUrl } = useCliDatabase("cli-audit-");
const cli = (...args: string[]) => runCli(args);

/** Opens the CLI's database while no CLI runs (PGlite allows one process at a time). */
async function withCliDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(databaseUrl() ? { kind: "postgres", url: databaseUrl()! } : { kind: "pglite", dataDir });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

describe("npm run cli -- audit verify | checkpoints", () => {
  it("says intact with exit 0, prints the signed checkpoints, and exits 1 naming the first altered event", async () => {
    expect((await cli("tenant", "create", "acme")).code).toBe(0);
    expect((await cli("tenant", "create", "other")).code).toBe(0);
    const intact = await cli("audit", "verify");
    expect(intact).toMatchObject({ code: 0 });
    expect(intact.stdout).toMatch(/^acme: intact: 2 events, head seq 2 [0-9a-f]{64}, 0 signed checkpoints verified$/m);
    expect(intact.stdout).toMatch(/^other: intact: 2 events/m);

    await withCliDatabase((database) =>
      signCheckpoints(database.prisma, () => new SigningKeyStore(database.prisma, randomBytes(32), 900).signer()),
    );
    const exported = await cli("audit", "checkpoints", "--tenant", "acme");
    expect(exported.code).toBe(0);
    const lines = exported.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      seq: "2",
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      jws: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    });
    expect((await cli("audit", "verify", "--tenant", "acme")).stdout).toMatch(
      /^acme: intact: 2 events, .*, 1 signed checkpoints verified$/m,
    );

    const altered = await withCliDatabase(async ({ prisma }) => {
      await prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
        await tx.$executeRawUnsafe(
          `UPDATE audit_event SET data = '{"tampered": true}' WHERE seq = 2 AND tenant_id = (SELECT id FROM tenant WHERE slug = 'acme')`,
        );
      });
      return (
        await prisma.$queryRawUnsafe<{ id: string }[]>(
          `SELECT e.id::text FROM audit_event e JOIN tenant t ON t.id = e.tenant_id AND t.slug = 'acme' WHERE seq = 2`,
        )
      )[0].id;
    });
    const broken = await cli("audit", "verify");
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`acme: BROKEN at seq 2 (event ${altered}): altered: its content no longer matches its hash`);
    expect(broken.stdout).toMatch(/^other: intact/m);
    expect(await cli("audit", "verify", "--tenant", "nope")).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("TENANT_NOT_FOUND"),
    });
    // Seven CLI processes, each opening its database: slow on a busy machine.
  }, 300_000);
});
