/**
 * The project's seeded random generator (xoshiro128**): the same seed gives the same draws on every
 * platform. Its state can be saved and restored. Sampling in `@dialogpt/decode`, batch shuffling,
 * the bootstrap of the human-evaluation statistics, and anything else that must be reproducible use
 * it. It lives here, in the bottom layer, so that all of them share it; `@dialogpt/data` re-exports it.
 */
export class Rng {
  private s: Uint32Array

  constructor(seed: number = Math.floor(Math.random() * 2 ** 32)) {
    // splitmix32 expands the seed into four non-zero words.
    this.s = new Uint32Array(4)
    let x = seed >>> 0
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0
      let z = x
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
      this.s[i] = (z ^ (z >>> 16)) >>> 0
    }
    if (this.s.every((w) => w === 0)) this.s[0] = 1
  }

  /** A uniform float in [0, 1). */
  next(): number {
    const s = this.s
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0
    const t = (s[1]! << 9) >>> 0
    s[2]! ^= s[0]!
    s[3]! ^= s[1]!
    s[1]! ^= s[2]!
    s[0]! ^= s[3]!
    s[2]! ^= t
    s[3] = rotl(s[3]!, 11)
    return result / 4294967296
  }

  /** A uniform integer in [0, n), for n up to 2^32. */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** The generator's state, to restore with {@link Rng.fromState}. */
  state(): number[] {
    return Array.from(this.s)
  }

  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4) throw new RangeError('an Rng state has 4 words')
    const r = new Rng(0)
    r.s = Uint32Array.from(state)
    return r
  }
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0
