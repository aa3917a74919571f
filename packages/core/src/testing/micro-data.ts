// Small synthetic dialogue data over the `micro` preset's 512-token vocabulary, for trainer tests.
import { makeFeatures } from '@dialogpt/data'

/** Sessions where each reply is a fixed function of the turn before it (learnable by a tiny model). */
export function microExamples(count: number, seed = 1, eos = 511): { inputIds: number[]; labels: number[] }[] {
  let x = seed
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    return x >>> 8
  }
  const out = []
  for (let s = 0; s < count; s++) {
    const first = Array.from({ length: 2 + (next() % 5) }, () => 1 + (next() % 200))
    const reply = first.map((t) => 200 + ((t * 7) % 300))
    const third = reply.slice(0, 2).map((t) => (t + 11) % 500)
    const turns = s % 3 === 0 ? [first, reply, third] : [first, reply]
    out.push(...makeFeatures(turns, turns.map(() => 1), 48, eos))
  }
  return out
}
