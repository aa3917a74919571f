/**
 * Approximate counts of strings in fixed memory: a count-min sketch with conservative update
 * (`depth` rows of `width` 32-bit counters). A count is never under-estimated; it is over-estimated
 * by at most `e·N/width` with probability `1 - e^-depth` (N = total insertions). The default
 * (2^20 × 4, 16 MiB) is exact in practice for corpora with far fewer distinct trigrams than a million,
 * and stays 16 MiB for any corpus size.
 */
export class TrigramCounter {
  private readonly table: Uint32Array
  /** Strings added. */
  total = 0

  constructor(
    readonly width = 1 << 20,
    readonly depth = 4,
  ) {
    if (!(Number.isInteger(width) && width > 0 && Number.isInteger(depth) && depth > 0)) throw new RangeError('TrigramCounter: width and depth must be positive integers')
    this.table = new Uint32Array(width * depth)
  }

  private slots(key: string): number[] {
    const out: number[] = []
    for (let d = 0; d < this.depth; d++) {
      let h = (0x811c9dc5 ^ Math.imul(d + 1, 0x9e3779b1)) >>> 0
      for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0
      h ^= h >>> 15
      h = Math.imul(h, 0x2c1b3c6d) >>> 0
      h ^= h >>> 12
      out.push(d * this.width + ((h >>> 0) % this.width))
    }
    return out
  }

  add(key: string): void {
    const slots = this.slots(key)
    let min = Infinity
    for (const s of slots) min = Math.min(min, this.table[s]!)
    for (const s of slots) if (this.table[s] === min && min < 0xffffffff) this.table[s] = min + 1
    this.total++
  }

  count(key: string): number {
    let min = Infinity
    for (const s of this.slots(key)) min = Math.min(min, this.table[s]!)
    return min
  }
}
