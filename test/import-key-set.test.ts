import { describe, expect, it } from "vitest";
import { KeySet } from "../src/imports/key-set.ts";

// The import's in-file duplicate set (src/imports/key-set.ts) against a Set of the same strings:
// adds past several table growths, deletes (a retried batch takes its keys back) inside probe runs.
describe("import key set", () => {
  it("answers like a Set of strings through growth and deletes", () => {
    const keys = new KeySet();
    const reference = new Set<string>();
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
    for (let step = 0; step < 200_000; step++) {
      const key = random() < 0.5 ? `uid:u${Math.floor(random() * 20_000)}` : `EMAIL:user${Math.floor(random() * 20_000)}@example.com`;
      const action = random();
      if (action < 0.6) {
        keys.add(key);
        reference.add(key);
      } else if (action < 0.8) {
        keys.delete(key);
        reference.delete(key);
      } else expect(keys.has(key), `step ${step}: ${key}`).toBe(reference.has(key));
    }
    expect(keys.size).toBe(reference.size);
    expect(reference.size).toBeGreaterThan(5_000);
    for (let i = 0; i < 20_000; i++) {
      for (const key of [`uid:u${i}`, `EMAIL:user${i}@example.com`]) expect(keys.has(key)).toBe(reference.has(key));
    }
  });

  it("tells apart keys that differ in one character or only in kind", () => {
    const keys = new KeySet();
    keys.add("uid:ada");
    expect([keys.has("uid:ada"), keys.has("uid:adb"), keys.has("username:ada"), keys.has("")]).toEqual([true, false, false, false]);
    keys.delete("uid:ada");
    expect(keys.has("uid:ada")).toBe(false);
  });
});
