import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { cpSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { chainHash, GENESIS_HASH } from "../src/audit/chain.ts";
import { pgliteTarget } from "../src/db/database.ts";
import { applyMigrations } from "../src/db/migrations.ts";

// The audit_chain migration chains the events already stored, per tenant in seq order, before its
// triggers exist. Run on PGlite in both projects: it is the migration's own SQL that is tested.

const MIGRATIONS = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
const CHAIN_MIGRATION = "20261130003000_audit_chain";

const db = new PGlite({ extensions: { pg_trgm } });
afterAll(() => db.close());

/** The migrations folder as it was before the chain (every migration up to, not including, it). */
function migrationsBeforeChain(): string {
  const dir = mkdtempSync(join(tmpdir(), "migrations-before-chain-"));
  for (const name of readdirSync(MIGRATIONS))
    if (name < CHAIN_MIGRATION) cpSync(join(MIGRATIONS, name), join(dir, name), { recursive: true });
  return dir;
}

describe("the audit_chain migration", () => {
  it("chains existing events per tenant in seq order, each over its own stored content", async () => {
    const target = pgliteTarget(db);
    await applyMigrations(target, migrationsBeforeChain());
    await db.exec(`
      INSERT INTO tenant (id, slug, name, audit_seq) VALUES
        ('00000000-0000-4000-8000-00000000000a', 'a', 'A', 3), ('00000000-0000-4000-8000-00000000000b', 'b', 'B', 1);
      INSERT INTO audit_event (id, tenant_id, seq, type, actor_kind, data) VALUES
        (gen_random_uuid(), '00000000-0000-4000-8000-00000000000a', 3, 'x.three', 'SYSTEM', '{"b": 1.50, "a": [true]}'),
        (gen_random_uuid(), '00000000-0000-4000-8000-00000000000b', 1, 'y.one', 'SYSTEM', '{}'),
        (gen_random_uuid(), '00000000-0000-4000-8000-00000000000a', 1, 'x.one', 'ADMIN', '{"ü": "\u2028"}'),
        (gen_random_uuid(), '00000000-0000-4000-8000-00000000000a', 2, 'x.two', 'CUSTOMER', '{}');`);
    expect(await applyMigrations(target)).toContain(CHAIN_MIGRATION);

    const { rows } = await db.query<{ tenant: string; seq: number; prev: string; hash: string; content: string }>(
      `SELECT slug AS tenant, seq::int, encode(prev_hash, 'hex') AS prev, encode(hash, 'hex') AS hash, audit_event_content(e) AS content
       FROM audit_event e JOIN tenant t ON t.id = e.tenant_id ORDER BY slug, seq`,
    );
    expect(rows.map((r) => [r.tenant, r.seq])).toEqual([
      ["a", 1],
      ["a", 2],
      ["a", 3],
      ["b", 1],
    ]);
    let previous = { tenant: "", hash: GENESIS_HASH };
    for (const row of rows) {
      const prev = row.tenant === previous.tenant ? previous.hash : GENESIS_HASH;
      expect(row).toMatchObject({ prev, hash: chainHash(prev, row.content) });
      previous = row;
    }
    expect(rows[2].content).toContain(`{"a": [true], "b": 1.50}`);
  });
});
