// The keys of every row of an import file accepted so far (in-file duplicate detection), held as
// 64-bit hashes in one typed open-addressing table instead of a Set of strings: ~16 bytes a key
// (8 bytes at a load of at most 1/2) against ~100 for a string in a Set, so a million-row file
// with a uid and an email per row keeps ~32 MiB instead of ~200 MiB.
//
// The price is a false positive when two different keys hash alike: the later row is then reported
// as repeating an earlier one (a row error the admin sees in the job's errors; nothing is written
// wrongly). With a 64-bit hash and n keys the chance of any such pair is about n² / 2⁶⁵: 1 in
// 10 million for 2 million keys. The hash (cyrb53's two 32-bit lanes, unseeded) is not
// cryptographic, so a file crafted to collide only refuses its own rows.

const EMPTY_HI = 0;
const EMPTY_LO = 0;

/** Two well-mixed 32-bit lanes of `key`'s UTF-16 code units (cyrb53 by bryc, public domain, without the final 53-bit cut). */
function hash64(key: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const ch = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  // (0, 0) marks an empty slot: the one key hashing there is stored as (0, 1).
  return h1 === EMPTY_HI && h2 === EMPTY_LO ? [0, 1] : [h1 >>> 0, h2 >>> 0];
}

export class KeySet {
  /** Slot i is (table[2i], table[2i + 1]); the capacity is a power of two. */
  private table = new Uint32Array(2 * 1024);
  size = 0;

  private get capacity() {
    return this.table.length / 2;
  }

  /** The slot holding `hi:lo`, or the empty slot where it would go (linear probing). */
  private slotOf(hi: number, lo: number): number {
    const mask = this.capacity - 1;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const h = this.table[2 * i]!;
      const l = this.table[2 * i + 1]!;
      if ((h === hi && l === lo) || (h === EMPTY_HI && l === EMPTY_LO)) return i;
    }
  }

  has(key: string): boolean {
    const [hi, lo] = hash64(key);
    const i = this.slotOf(hi, lo);
    return this.table[2 * i] === hi && this.table[2 * i + 1] === lo;
  }

  add(key: string): void {
    const [hi, lo] = hash64(key);
    this.put(hi, lo);
  }

  private put(hi: number, lo: number): void {
    const i = this.slotOf(hi, lo);
    if (this.table[2 * i] === hi && this.table[2 * i + 1] === lo) return;
    this.table[2 * i] = hi;
    this.table[2 * i + 1] = lo;
    if (++this.size * 2 > this.capacity) this.grow();
  }

  /** Removes `key` (a batch planned again takes its keys back); later entries of its run shift back into the hole. */
  delete(key: string): void {
    const [hi, lo] = hash64(key);
    const mask = this.capacity - 1;
    let hole = this.slotOf(hi, lo);
    if (this.table[2 * hole] !== hi || this.table[2 * hole + 1] !== lo) return;
    this.size--;
    for (let i = (hole + 1) & mask; ; i = (i + 1) & mask) {
      const h = this.table[2 * i]!;
      const l = this.table[2 * i + 1]!;
      if (h === EMPTY_HI && l === EMPTY_LO) break;
      const home = l & mask;
      // An entry stays when its home lies cyclically in (hole, i]; otherwise it moves into the hole.
      if (hole <= i ? home > hole && home <= i : home > hole || home <= i) continue;
      [this.table[2 * hole], this.table[2 * hole + 1]] = [h, l];
      hole = i;
    }
    [this.table[2 * hole], this.table[2 * hole + 1]] = [EMPTY_HI, EMPTY_LO];
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== EMPTY_HI || old[i + 1] !== EMPTY_LO) this.put(old[i]!, old[i + 1]!);
  }
}
