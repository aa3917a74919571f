import { describe, expect, it } from 'vitest'
import { Rng } from '../random/rng'
import { humanOracles, near } from '../testing/human-oracles'
import { averageRanks, correlate, kendallTauB, pearson, spearman, WeightedPairs } from './correlation'

const { cases } = humanOracles().correlations

// Kendall's tau-b by its definition, over every pair: the slow reference for the O(n log n) version.
function kendallByPairs(x: number[], y: number[]): number {
  let s = 0
  let tx = 0
  let ty = 0
  let pairs = 0
  for (let i = 0; i < x.length; i++)
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign(x[i]! - x[j]!)
      const dy = Math.sign(y[i]! - y[j]!)
      s += dx * dy
      pairs++
      if (dx === 0) tx++
      if (dy === 0) ty++
    }
  return s / Math.sqrt((pairs - tx) * (pairs - ty))
}

describe('correlation coefficients', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: Pearson, Spearman and Kendall tau-b equal SciPy (1e-9)', (_name, c) => {
    expect(near(pearson(c.x, c.y), c.pearson), `pearson ${pearson(c.x, c.y)} vs ${c.pearson}`).toBe(true)
    expect(near(spearman(c.x, c.y), c.spearman), `spearman ${spearman(c.x, c.y)} vs ${c.spearman}`).toBe(true)
    expect(near(kendallTauB(c.x, c.y), c.kendall), `kendall ${kendallTauB(c.x, c.y)} vs ${c.kendall}`).toBe(true)
  })

  it("Knight's O(n log n) tau-b equals the pairwise definition on random data with many ties", () => {
    const rng = new Rng(7)
    for (let trial = 0; trial < 50; trial++) {
      const n = 2 + rng.int(60)
      const levels = 1 + rng.int(6)
      const x = Array.from({ length: n }, () => rng.int(levels))
      const y = Array.from({ length: n }, () => rng.int(levels + 2))
      const fast = kendallTauB(x, y)
      const slow = kendallByPairs(x, y)
      if (Number.isNaN(slow)) expect(fast).toBeNaN()
      else expect(Math.abs(fast - slow)).toBeLessThan(1e-12)
    }
  })

  it('ranks ties by their average rank, and is NaN for a constant side', () => {
    expect(averageRanks([10, 20, 10, 30])).toEqual([1.5, 3, 1.5, 4])
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN()
    expect(() => pearson([1, 2], [1])).toThrow('y: x has 2 values and y has 1')
    expect(() => spearman([1, Number.NaN], [1, 2])).toThrow('x[1]: is NaN, not a finite number')
  })

  it('gives bootstrap intervals around the estimate, the same for the same seed', () => {
    const c = cases.find((k) => k.name === 'n200')!
    const a = correlate(c.x, c.y, { iterations: 500, seed: 3 })
    const b = correlate(c.x, c.y, { iterations: 500, seed: 3 })
    const other = correlate(c.x, c.y, { iterations: 500, seed: 4 })
    expect(a).toEqual(b)
    expect(a.kendall.ci).not.toEqual(other.kendall.ci)
    for (const kind of ['pearson', 'spearman', 'kendall'] as const) {
      expect(a[kind].ci[0]).toBeLessThan(a[kind].estimate)
      expect(a[kind].ci[1]).toBeGreaterThan(a[kind].estimate)
    }
    expect(near(a.pearson.estimate, c.pearson)).toBe(true)
  })
})

describe('weighted pairs (how the bootstrap sees a resample)', () => {
  it('give the coefficients of the list with each pair repeated by its weight', () => {
    const rng = new Rng(21)
    for (let trial = 0; trial < 40; trial++) {
      const n = 2 + rng.int(40)
      const levels = 1 + rng.int(5)
      const x = Array.from({ length: n }, () => rng.int(levels) + (trial % 2 ? rng.next() : 0))
      const y = Array.from({ length: n }, () => rng.int(levels + 1))
      const w = Float64Array.from({ length: n }, () => rng.int(4))
      const xs: number[] = []
      const ys: number[] = []
      w.forEach((c, i) => {
        for (let r = 0; r < c; r++) {
          xs.push(x[i]!)
          ys.push(y[i]!)
        }
      })
      const got = new WeightedPairs(x, y).coefficients(w)
      const want = xs.length < 2 ? [Number.NaN, Number.NaN, Number.NaN] : [pearson(xs, ys), spearman(xs, ys), kendallTauB(xs, ys)]
      got.forEach((g, k) => {
        if (Number.isNaN(want[k]!)) expect(g, `trial ${trial} coefficient ${k}`).toBeNaN()
        else expect(Math.abs(g - want[k]!), `trial ${trial} coefficient ${k}: ${g} vs ${want[k]}`).toBeLessThan(1e-12)
      })
    }
  })
})
