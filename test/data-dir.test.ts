import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openDatabase } from "../src/db/database.ts";

// The embedded database holds every customer's PII and password hash: its files are the
// gateway user's alone. (File modes are the same whichever database the suite runs against.)

const folders: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

function everyMode(path: string, into: Record<string, number> = {}): Record<string, number> {
  const stat = statSync(path);
  into[path] = stat.mode & 0o777;
  if (stat.isDirectory()) for (const entry of readdirSync(path)) everyMode(join(path, entry), into);
  return into;
}

describe("the embedded database's folder", () => {
  it("is created 0700 with files 0600 even under a permissive umask", async () => {
    const parent = mkdtempSync(join(tmpdir(), "gw-data-"));
    folders.push(parent);
    const dataDir = join(parent, "data");
    const previous = process.umask(0);
    try {
      const database = await openDatabase({ kind: "pglite", dataDir });
      await database.close();
    } finally {
      process.umask(previous);
    }
    const modes = everyMode(dataDir);
    expect(Object.keys(modes).length).toBeGreaterThan(100);
    const loose = Object.entries(modes).filter(([, mode]) => (mode & 0o077) !== 0);
    expect(loose).toEqual([]);
    expect(modes[dataDir]).toBe(0o700);
  });

  it("warns at start-up, naming the paths, when an existing folder is readable by others", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "gw-data-"));
    folders.push(dataDir);
    writeFileSync(join(dataDir, "leftover"), "x");
    chmodSync(join(dataDir, "leftover"), 0o644);
    chmodSync(dataDir, 0o755);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const database = await openDatabase({ kind: "pglite", dataDir });
    await database.close();
    const warned = warn.mock.calls.map((c) => String(c[0])).join("\n");
    expect(warned).toContain("was readable or writable by other users");
    expect(warned).toContain(`${join(dataDir, "leftover")} (644)`);
    expect(warned).toContain(`${dataDir} (755)`);
    expect(Object.values(everyMode(dataDir)).filter((mode) => (mode & 0o077) !== 0)).toEqual([]);
  });
});
