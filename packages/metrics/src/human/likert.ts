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
import type { LikertJudgment } from './judgments'

/** Options of {@link summarizeLikert}. */
export interface LikertOptions extends BootstrapOptions {
  /** Significance level for the ranking's marks. Default 0.05, as the paper's Table 8. */
  alpha?: number
  /**
   * Also summarise all criteria together (every rating of a system counts once), under the criterion
   * name {@link ALL_CRITERIA}. DSTC-7's released per-instance score is this mean. Default: true when
   * there is more than one criterion.
   */
  overall?: boolean
}

/** The criterion name under which {@link summarizeLikert} reports all criteria together. */
export const ALL_CRITERIA = '(all criteria)'

/** One system's ratings on one criterion. */
export interface LikertSystem {
  system: string
  /** 1 for the highest mean. Systems with equal means share a rank. */
  rank: number
  /** Ratings and items. */
  ratings: number
  items: number
  /** Mean rating with its bootstrap sd and percentile interval (items resampled). */
  mean: BootstrapEstimate
  /** Systems ranked below this one whose difference from it is significant at `alpha`. */
  significantlyAbove: string[]
}

/** The difference between two systems' means, the higher first. */
export interface LikertDifference {
  higher: string
  lower: string
  difference: BootstrapDifference
  significant: boolean
}

/** The ranking of one criterion. */
export interface LikertSummary {
  criterion: string
  /** Highest mean first. */
  systems: LikertSystem[]
  /** Every pair of systems. */
  differences: LikertDifference[]
  items: number
  iterations: number
  alpha: number
}

/**
 * Per-system mean ratings with bootstrap intervals, and a ranking that says which differences are
 * significant. The bootstrap resamples items: the same resampled items serve every system, so the
 * differences are paired, as they are in the data (every system answers the same items).
 */
export function summarizeLikert(judgments: readonly LikertJudgment[], options: LikertOptions = {}): LikertSummary[] {
  const boot = resolveBootstrap(options)
  const alpha = options.alpha ?? 0.05
  if (!(alpha > 0 && alpha < 1)) throw new MetricsInputError(`must lie strictly between 0 and 1, got ${alpha}`, 'alpha')
  if (judgments.length === 0) throw new MetricsInputError('there are no judgments', 'judgments')
  const criteria = [...new Set(judgments.map((j) => j.criterion))]
  const overall = options.overall ?? criteria.length > 1
  const groups: [string, readonly LikertJudgment[]][] = criteria.map((c) => [c, judgments.filter((j) => j.criterion === c)])
  if (overall) groups.push([ALL_CRITERIA, judgments])
  return groups.map(([criterion, js]) => rankCriterion(criterion, js, boot, alpha))
}

function rankCriterion(criterion: string, judgments: readonly LikertJudgment[], boot: Required<BootstrapOptions>, alpha: number): LikertSummary {
  const itemIndex = new Map<string, number>()
  for (const j of judgments) if (!itemIndex.has(j.item)) itemIndex.set(j.item, itemIndex.size)
  const n = itemIndex.size
  const names = [...new Set(judgments.map((j) => j.system))]
  const sums = names.map(() => new Float64Array(n))
  const counts = names.map(() => new Float64Array(n))
  const systemIndex = new Map(names.map((s, i) => [s, i]))
  for (const j of judgments) {
    const s = systemIndex.get(j.system)!
    const i = itemIndex.get(j.item)!
    sums[s]![i]! += j.rating
    counts[s]![i]!++
  }
  const samples = names.map(() => new Float64Array(boot.iterations))
  forEachResample(n, boot, (c, it) => {
    for (let s = 0; s < names.length; s++) {
      const ratings = resampledTotal(c, counts[s]!)
      samples[s]![it] = ratings === 0 ? Number.NaN : resampledTotal(c, sums[s]!) / ratings
    }
  })
  const means = names.map((_, s) => total(sums[s]!) / total(counts[s]!))
  const order = names.map((_, s) => s).sort((x, y) => means[y]! - means[x]! || names[x]!.localeCompare(names[y]!))
  const differences: LikertDifference[] = []
  const above = new Map<number, string[]>(order.map((s) => [s, []]))
  for (let x = 0; x < order.length; x++)
    for (let y = x + 1; y < order.length; y++) {
      const hi = order[x]!
      const lo = order[y]!
      const diff = samples[hi]!.map((v, it) => v - samples[lo]![it]!)
      const difference = summarizeDifference(means[hi]! - means[lo]!, diff, boot.confidence)
      const significant = difference.p <= alpha && means[hi]! > means[lo]!
      if (significant) above.get(hi)!.push(names[lo]!)
      differences.push({ higher: names[hi]!, lower: names[lo]!, difference, significant })
    }
  let rank = 0
  const systems = order.map((s, k) => {
    if (k === 0 || means[s]! !== means[order[k - 1]!]!) rank = k + 1
    return {
      system: names[s]!,
      rank,
      ratings: total(counts[s]!),
      items: counts[s]!.filter((c) => c > 0).length,
      mean: summarizeBootstrap(means[s]!, samples[s]!, boot.confidence),
      significantlyAbove: above.get(s)!,
    }
  })
  return { criterion, systems, differences, items: n, iterations: boot.iterations, alpha }
}

function total(xs: Float64Array): number {
  let t = 0
  for (const x of xs) t += x
  return t
}
