/**
 * Approximate counts of strings in fixed memory: a count-min sketch (`depth` rows of `width` 32-bit
 * counters; every row's counter is incremented). A count is never under-estimated; it is
 * over-estimated by at most `e·N/width` with probability `1 - e^-depth` (N = total insertions). The
 * default (2^20 × 4, 16 MiB) is exact in practice for corpora with far fewer distinct trigrams than a
 * million, and stays 16 MiB for any corpus size.
 *
 * Sketches add up: {@link TrigramCounter.merge} of the counters of several parts of a corpus is the
 * counter of the whole, counter for counter (so sharded preparation decides blandness exactly as one
 * process does). That is why it does not use the conservative update, which is not additive.
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
    for (const slot of this.slots(key)) if (this.table[slot]! < 0xffffffff) this.table[slot]!++
    this.total++
  }

  /** Adds another counter's counts (same width and depth) to this one, saturating at 2^32 − 1. */
  merge(other: TrigramCounter): void {
    if (other.width !== this.width || other.depth !== this.depth)
      throw new RangeError(`TrigramCounter.merge: ${other.width}×${other.depth} does not match ${this.width}×${this.depth}`)
    for (let i = 0; i < this.table.length; i++) this.table[i] = Math.min(0xffffffff, this.table[i]! + other.table[i]!)
    this.total += other.total
  }

  /** The counter as bytes: width, depth and total (little-endian uint32 × 2, float64), then the table. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(16 + this.table.byteLength)
    const view = new DataView(out.buffer)
    view.setUint32(0, this.width, true)
    view.setUint32(4, this.depth, true)
    view.setFloat64(8, this.total, true)
    out.set(new Uint8Array(this.table.buffer, this.table.byteOffset, this.table.byteLength), 16)
    return out
  }

  /** A counter from {@link TrigramCounter.toBytes}; a RangeError when the bytes are not one. */
  static fromBytes(bytes: Uint8Array): TrigramCounter {
    if (bytes.byteLength < 16) throw new RangeError(`a trigram counter has a 16-byte header, got ${bytes.byteLength} bytes`)
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const width = view.getUint32(0, true)
    const depth = view.getUint32(4, true)
    if (width === 0 || depth === 0 || bytes.byteLength !== 16 + width * depth * 4)
      throw new RangeError(`a ${width}×${depth} trigram counter takes ${16 + width * depth * 4} bytes, got ${bytes.byteLength}`)
    const counter = new TrigramCounter(width, depth)
    counter.total = view.getFloat64(8, true)
    new Uint8Array(counter.table.buffer).set(bytes.subarray(16))
    return counter
  }

  count(key: string): number {
    let min = Infinity
    for (const s of this.slots(key)) min = Math.min(min, this.table[s]!)
    return min
  }
}
