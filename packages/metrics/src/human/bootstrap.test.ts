import { describe, expect, it } from 'vitest'
import { Rng } from '../random/rng'
import { forEachResample, quantileSorted, resolveBootstrap, summarizeDifference } from './bootstrap'
import type { LikertJudgment, PairwiseJudgment } from './judgments'
import { summarizeLikert } from './likert'
import { comparePreferences } from './preference'

// Binomial(n, π) probabilities by the ratio recursion (independent of the library's log-gamma).
function binomialPmf(n: number, pi: number): number[] {
  const logs = [n * Math.log(1 - pi)]
  for (let i = 0; i < n; i++) logs.push(logs[i]! + Math.log(n - i) - Math.log(i + 1) + Math.log(pi) - Math.log(1 - pi))
  return logs.map(Math.exp)
}

const cdfAt = (pmf: number[], x: number) => pmf.slice(0, Math.floor(x) + 1).reduce((a, b) => a + b, 0)
function quantile(pmf: number[], q: number): number {
  let c = 0
  for (let i = 0; i < pmf.length; i++) if ((c += pmf[i]!) >= q) return i
  return pmf.length - 1
}

describe('the bootstrap against known distributions', () => {
  // n items, one judgment each, k preferring A and none neutral: a resampled share of A is exactly
  // Binomial(n, k/n) / n, so the interval and the p-value are known in closed form.
  const n = 1000
  const k = 531
  const judgments: PairwiseJudgment[] = Array.from({ length: n }, (_, i) => ({
    systemA: 'X',
    systemB: 'Y',
    judge: `j${i % 7}`,
    item: `item${i}`,
    criterion: 'q',
    choice: i < k ? 'A' : 'B',
  }))
  const B = 10_000
  const [row] = comparePreferences(judgments, { iterations: B, seed: 11 })
  const pmf = binomialPmf(n, k / n)

  it('gives the two-sided p-value of the difference within its Monte Carlo error', () => {
    const below = cdfAt(pmf, n / 2) // d* ≤ 0  ⇔  X ≤ n/2
    const above = 1 - cdfAt(pmf, n / 2 - 1) // d* ≥ 0  ⇔  X ≥ n/2
    const exact = Math.min(1, 2 * Math.min(below, above))
    const q = exact / 2
    const mcError = 2 * Math.sqrt((q * (1 - q)) / B)
    expect(exact).toBeGreaterThan(0.02)
    expect(exact).toBeLessThan(0.1)
    expect(Math.abs(row!.difference.p - exact), `bootstrap p ${row!.difference.p}, exact ${exact}, MC sd ${mcError}`).toBeLessThan(4.5 * mcError)
  })

  it('gives percentile intervals at the binomial quantiles, within one step', () => {
    const step = 1 / n
    const lowA = quantile(pmf, 0.025) / n
    const highA = quantile(pmf, 0.975) / n
    expect(Math.abs(row!.meanA.ci[0] - lowA)).toBeLessThanOrEqual(step + 1e-12)
    expect(Math.abs(row!.meanA.ci[1] - highA)).toBeLessThanOrEqual(step + 1e-12)
    // The difference is 2·share − 1, so its interval is the same one mapped.
    expect(Math.abs(row!.difference.ci[0] - (2 * lowA - 1))).toBeLessThanOrEqual(2 * step + 1e-12)
    expect(Math.abs(row!.difference.ci[1] - (2 * highA - 1))).toBeLessThanOrEqual(2 * step + 1e-12)
    const sdExact = Math.sqrt(((k / n) * (1 - k / n)) / n)
    expect(Math.abs(row!.meanA.sd - sdExact) / sdExact).toBeLessThan(5 / Math.sqrt(2 * B))
  })

  it('gives the standard deviation of a mean of normal ratings as σ̂/√n, within its Monte Carlo error', () => {
    const rng = new Rng(5)
    const ratings = Array.from({ length: 400 }, () => {
      const u = Math.max(rng.next(), 1e-12)
      return 3 + Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
    })
    const js: LikertJudgment[] = ratings.map((rating, i) => ({ judge: 'j', item: `i${i}`, system: 'S', criterion: 'q', rating }))
    const [summary] = summarizeLikert(js, { iterations: B, seed: 2 })
    const mean = ratings.reduce((a, b) => a + b, 0) / ratings.length
    const sigma = Math.sqrt(ratings.reduce((a, r) => a + (r - mean) ** 2, 0) / ratings.length)
    const sdExact = sigma / Math.sqrt(ratings.length)
    const s = summary!.systems[0]!
    expect(Math.abs(s.mean.estimate - mean)).toBeLessThan(1e-12)
    expect(Math.abs(s.mean.sd - sdExact) / sdExact).toBeLessThan(5 / Math.sqrt(2 * B))
    // The percentile interval of a mean of 400 normal values is close to mean ± 1.96 sd.
    expect(Math.abs(s.mean.ci[0] - (mean - 1.959964 * sdExact))).toBeLessThan(0.15 * sdExact)
    expect(Math.abs(s.mean.ci[1] - (mean + 1.959964 * sdExact))).toBeLessThan(0.15 * sdExact)
  })

  it('is identical from run to run with the same seed, and different with another', () => {
    const again = comparePreferences(judgments, { iterations: B, seed: 11 })[0]!
    expect(again).toEqual(row)
    const other = comparePreferences(judgments, { iterations: B, seed: 12 })[0]!
    expect(other.difference.sd).not.toBe(row!.difference.sd)
    expect(other.counts).toEqual(row!.counts)
  })
})

describe('bootstrap helpers', () => {
  it('interpolates quantiles linearly between order statistics (numpy\'s default)', () => {
    const sorted = [1, 2, 3, 4, 10]
    expect(quantileSorted(sorted, 0)).toBe(1)
    expect(quantileSorted(sorted, 1)).toBe(10)
    expect(quantileSorted(sorted, 0.5)).toBe(3)
    expect(quantileSorted(sorted, 0.9)).toBeCloseTo(4 + 0.6 * 6, 12)
  })

  it('draws n items per resample, reproducibly', () => {
    const first: number[][] = []
    forEachResample(5, resolveBootstrap({ iterations: 3, seed: 9 }), (drawn) => {
      expect(drawn).toHaveLength(5)
      expect(drawn.every((i) => i >= 0 && i < 5)).toBe(true)
      first.push(Array.from(drawn))
    })
    const second: number[][] = []
    forEachResample(5, resolveBootstrap({ iterations: 3, seed: 9 }), (c) => second.push(Array.from(c)))
    expect(second).toEqual(first)
  })

  it('counts resamples on both sides of zero for the p-value, and never exceeds 1', () => {
    expect(summarizeDifference(0, Float64Array.from([-1, 0, 1, 2]), 0.95).p).toBe(1)
    expect(summarizeDifference(1, Float64Array.from([1, 2, 3, -1]), 0.95).p).toBe(0.5)
    expect(summarizeDifference(1, Float64Array.from([1, 2, 3, 4]), 0.95).p).toBe(0)
  })

  it('refuses bad options by name', () => {
    expect(() => resolveBootstrap({ iterations: 0 })).toThrow('iterations: must be a positive integer, got 0')
    expect(() => resolveBootstrap({ confidence: 1 })).toThrow('confidence: must lie strictly between 0 and 1, got 1')
    expect(() => resolveBootstrap({ seed: -1 })).toThrow('seed: must be an integer from 0 to 2^32 - 1, got -1')
  })
})
