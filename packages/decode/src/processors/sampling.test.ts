import { Rng } from '@dialogpt/data'
import { expect, it } from 'vitest'
import { sampleIndex } from './pipeline'
import { applyTopK } from './processors'

it('samples from the filtered distribution: 200k draws within 0.005 of every probability (fixed seed)', () => {
  // Logits over 50 ids, top-K 10: the draws must follow softmax over the 10 survivors and never leave them.
  const logits = Float64Array.from({ length: 50 }, (_, i) => Math.sin(i * 1.7) * 3)
  applyTopK(logits, 10)
  const max = Math.max(...logits)
  const weights = Array.from(logits, (x) => Math.exp(x - max))
  const total = weights.reduce((s, w) => s + w, 0)
  const rng = new Rng(7)
  const counts = new Array<number>(50).fill(0)
  const N = 200_000
  for (let i = 0; i < N; i++) counts[sampleIndex(logits, rng.next())]!++
  counts.forEach((c, i) => {
    expect(Math.abs(c / N - weights[i]! / total), `id ${i}`).toBeLessThan(0.005)
    if (logits[i] === -Infinity) expect(c).toBe(0)
  })
})
