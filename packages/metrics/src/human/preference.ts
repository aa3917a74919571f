import { MetricsInputError } from '../errors'
import {
  type BootstrapDifference,
  type BootstrapEstimate,
  type BootstrapOptions,
  forEachResample,
  resampledTotal,
  resolveBootstrap,
  summarizeBootstrap,
  summarizeDifference,
} from './bootstrap'
import { choiceSide, unorderedPair, type PairwiseJudgment } from './judgments'
import { significanceStars, signTestP } from './significance'

/** Options of {@link comparePreferences}. */
export interface PreferenceOptions extends BootstrapOptions {
  /**
   * How a neutral judgment counts in each system's mean: `'none'` (default) gives it to neither
   * system, so the two means and the neutral share add up to 1; `'half'` gives half to each.
   */
  ties?: 'none' | 'half'
  /**
   * Systems to show as system A, in priority: in a pair, the system earlier in this list is A (as
   * the paper puts DialoGPT first). Pairs with neither system listed keep the order first seen.
   */
  first?: readonly string[]
}

/** One row of the paper's Table 7 with its Table 8 statistics: one criterion, one pair of systems. */
export interface PreferenceComparison {
  criterion: string
  /** The pair as ordered by `first`, else as first seen; judgments that showed it the other way round are flipped. */
  systemA: string
  systemB: string
  /** Judgments preferring A, neutral, preferring B, and all of them. */
  counts: { a: number; neutral: number; b: number; total: number }
  /** The same as fractions of all judgments. */
  shares: { a: number; neutral: number; b: number }
  /** Items the pair was judged on (the bootstrap's unit). */
  items: number
  /**
   * Each system's mean preference on Table 8's 0–1 scale: the share of judgments preferring it
   * (plus half the neutral ones with `ties: 'half'`), with the bootstrap sd and interval.
   */
  meanA: BootstrapEstimate
  meanB: BootstrapEstimate
  /** meanA − meanB, with its bootstrap sd, interval and two-sided p-value. */
  difference: BootstrapDifference
  /** The exact two-sided sign test of A against B wins (neutral left out), for comparison. */
  signTestP: number
  /** Table 7's marks from the bootstrap p-value, claiming no more than 2 / iterations allows. */
  stars: string
}

/**
 * Table 7 and Table 8 of the paper from pairwise judgments: for each criterion and pair of systems,
 * the counts and shares of A / neutral / B, each system's mean preference, and a bootstrap over
 * items (all judgments of an item stay together) of the difference in means, with its two-sided
 * p-value and the paper's significance marks.
 */
export function comparePreferences(judgments: readonly PairwiseJudgment[], options: PreferenceOptions = {}): PreferenceComparison[] {
  const boot = resolveBootstrap(options)
  const ties = options.ties ?? 'none'
  if (ties !== 'none' && ties !== 'half') throw new MetricsInputError(`must be 'none' or 'half', got ${String(ties)}`, 'ties')
  if (judgments.length === 0) throw new MetricsInputError('there are no judgments', 'judgments')
  interface Group {
    criterion: string
    systemA: string
    systemB: string
    items: Map<string, [number, number, number]>
  }
  const groups = new Map<string, Group>()
  const first = options.first ?? []
  const priority = (system: string) => {
    const k = first.indexOf(system)
    return k < 0 ? first.length : k
  }
  for (const j of judgments) {
    const key = JSON.stringify([j.criterion, ...unorderedPair(j.systemA, j.systemB)])
    let g = groups.get(key)
    if (!g) {
      const swap = priority(j.systemB) < priority(j.systemA)
      g = { criterion: j.criterion, systemA: swap ? j.systemB : j.systemA, systemB: swap ? j.systemA : j.systemB, items: new Map() }
      groups.set(key, g)
    }
    const side = choiceSide(j, g.systemA)
    let counts = g.items.get(j.item)
    if (!counts) g.items.set(j.item, (counts = [0, 0, 0]))
    counts[side]!++
  }
  const tieWeight = ties === 'half' ? 0.5 : 0
  return [...groups.values()].map((g) => {
    const per = [...g.items.values()]
    const n = per.length
    const winsA = new Float64Array(n)
    const winsB = new Float64Array(n)
    const total = new Float64Array(n)
    const counts = { a: 0, neutral: 0, b: 0, total: 0 }
    per.forEach(([a, neutral, b], i) => {
      winsA[i] = a + tieWeight * neutral
      winsB[i] = b + tieWeight * neutral
      total[i] = a + neutral + b
      counts.a += a
      counts.neutral += neutral
      counts.b += b
    })
    counts.total = counts.a + counts.neutral + counts.b
    const sampleA = new Float64Array(boot.iterations)
    const sampleB = new Float64Array(boot.iterations)
    const sampleD = new Float64Array(boot.iterations)
    forEachResample(n, boot, (c, it) => {
      const judged = resampledTotal(c, total)
      const a = resampledTotal(c, winsA)
      const b = resampledTotal(c, winsB)
      sampleA[it] = a / judged
      sampleB[it] = b / judged
      sampleD[it] = (a - b) / judged
    })
    const meanA = (counts.a + tieWeight * counts.neutral) / counts.total
    const meanB = (counts.b + tieWeight * counts.neutral) / counts.total
    const difference = summarizeDifference(meanA - meanB, sampleD, boot.confidence)
    return {
      criterion: g.criterion,
      systemA: g.systemA,
      systemB: g.systemB,
      counts,
      shares: { a: counts.a / counts.total, neutral: counts.neutral / counts.total, b: counts.b / counts.total },
      items: n,
      meanA: summarizeBootstrap(meanA, sampleA, boot.confidence),
      meanB: summarizeBootstrap(meanB, sampleB, boot.confidence),
      difference,
      signTestP: signTestP(counts.a, counts.b),
      stars: significanceStars(difference.p, 2 / boot.iterations),
    }
  })
}
