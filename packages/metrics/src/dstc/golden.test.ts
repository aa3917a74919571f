import { expect, it } from 'vitest'
import { describeShared } from '../../../../test/shared'
import { goldenCases } from '../testing/golden'
import { averageLength } from './average-length'
import { distinct } from './distinct'
import { entropy } from './entropy'

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b))

describeShared('Entropy, Dist-n and average length against DialoGPT metrics.py (golden.json)', ['metrics-golden', 'golden.json'], () => {
  it.each(goldenCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const py = c.golden.dialogpt_python
    const e = entropy(c.hypotheses)
    e.forEach((x, i) => expect(close(x, py.entropy[i]), `entropy[${i + 1}] ${x} vs ${py.entropy[i]}`).toBe(true))
    const d = distinct(c.hypotheses)
    if (Array.isArray(py.distinct)) d.forEach((x, i) => expect(close(x, py.distinct[i]), `dist[${i + 1}] ${x} vs ${py.distinct[i]}`).toBe(true))
    else {
      // The original raises ZeroDivisionError; we return NaN for the order that has no n-grams.
      expect(py.distinct.error).toMatch(/ZeroDivisionError/)
      expect(d.some(Number.isNaN)).toBe(true)
    }
    expect(close(averageLength(c.hypotheses), py.avg_len)).toBe(true)
  })
})
