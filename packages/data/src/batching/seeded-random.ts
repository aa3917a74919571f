/**
 * A small seeded generator (mulberry32 over a splitmix-mixed seed): the same `(seed, stream)`
 * gives the same sequence everywhere, which is what makes batch order reproducible.
 */
export function seededRandom(seed: number, stream = 0): () => number {
  let x = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul((stream + 0x632be5ab) >>> 0, 0x85ebca77)) >>> 0
  return () => {
    x = (x + 0x6d2b79f5) >>> 0
    let t = x
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Fisher–Yates shuffle in place with `random`. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const tmp = items[i]!
    items[i] = items[j]!
    items[j] = tmp
  }
  return items
}
