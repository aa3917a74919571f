import { Rng } from '@dialogpt/metrics'

/**
 * A seeded stream of uniform floats in [0, 1): the same `(seed, stream)` gives the same sequence
 * everywhere, which is what makes batch order reproducible. It is an {@link Rng} (the project's one
 * generator) seeded from both numbers.
 */
export function seededRandom(seed: number, stream = 0): () => number {
  const rng = new Rng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul((stream + 0x632be5ab) >>> 0, 0x85ebca77)) >>> 0)
  return () => rng.next()
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
