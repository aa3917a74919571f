import { MetricsInputError } from '../errors'
import { type BootstrapEstimate, type BootstrapOptions, forEachResample, resolveBootstrap, summarizeBootstrap } from './bootstrap'

/** The correlation coefficients {@link correlate} computes. */
export type CorrelationKind = 'pearson' | 'spearman' | 'kendall'

function check(x: readonly number[], y: readonly number[]): void {
  if (x.length !== y.length) throw new MetricsInputError(`x has ${x.length} values and y has ${y.length}`, 'y')
  if (x.length < 2) throw new MetricsInputError(`a correlation needs at least 2 pairs, got ${x.length}`, 'x')
  for (const [name, v] of [['x', x], ['y', y]] as const)
    v.forEach((a, i) => {
      if (!Number.isFinite(a)) throw new MetricsInputError(`is ${String(a)}, not a finite number`, `${name}[${i}]`)
    })
}

/** Pearson's r (NaN when either side is constant), as `scipy.stats.pearsonr`. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  check(x, y)
  return weightedPearson(Float64Array.from(x), Float64Array.from(y), new Float64Array(x.length).fill(1))
}

/** Ranks from 1, ties sharing their average rank (`scipy.stats.rankdata`'s default). */
export function averageRanks(x: readonly number[]): number[] {
  const values = Float64Array.from(x)
  const order = Int32Array.from(x.map((_, i) => i).sort((a, b) => x[a]! - x[b]!))
  const ranks = new Float64Array(x.length)
  averageWeightedRanks(values, order, new Float64Array(x.length).fill(1), ranks)
  return Array.from(ranks)
}

/** Spearman's rho: Pearson's r of the average ranks, as `scipy.stats.spearmanr`. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return unweighted(x, y)[1]
}

/**
 * Kendall's tau-b, which corrects for ties on either side (`scipy.stats.kendalltau`'s default), in
 * O(n log n) by Knight's method: sort by (x, y), count tied pairs, then count the swaps a merge
 * sort by y makes (the discordant pairs).
 */
export function kendallTauB(x: readonly number[], y: readonly number[]): number {
  return unweighted(x, y)[2]
}

/** [Pearson, Spearman, Kendall tau-b] of the pairs as they are (every weight 1). */
function unweighted(x: readonly number[], y: readonly number[]): [number, number, number] {
  return new WeightedPairs(x, y).coefficients(new Float64Array(x.length).fill(1))
}

/** Pearson, Spearman and Kendall with bootstrap intervals. */
export type Correlations = Record<CorrelationKind, BootstrapEstimate>

/**
 * Pearson's r, Spearman's rho and Kendall's tau-b of paired values, each with a bootstrap
 * percentile interval from resampling the pairs. Resamples where a side is constant (the
 * coefficient is undefined) are left out of the interval. With very few pairs (10 systems) the
 * intervals are wide, and honestly so.
 *
 * A resample is handled as a weight per pair (how often it was drawn), which gives the same
 * coefficients as the resampled list itself without building or sorting it: the orders by x and by
 * y are sorted once.
 */
export function correlate(x: readonly number[], y: readonly number[], options: BootstrapOptions = {}): Correlations {
  check(x, y)
  const boot = resolveBootstrap(options)
  const prepared = new WeightedPairs(x, y)
  const samples = [0, 1, 2].map(() => new Float64Array(boot.iterations))
  const weights = new Float64Array(x.length)
  forEachResample(x.length, boot, (drawn, it) => {
    weights.fill(0)
    for (let k = 0; k < drawn.length; k++) weights[drawn[k]!]!++
    const [r, rho, tau] = prepared.coefficients(weights)
    samples[0]![it] = r
    samples[1]![it] = rho
    samples[2]![it] = tau
  })
  const estimates = prepared.coefficients(new Float64Array(x.length).fill(1))
  return {
    pearson: summarizeBootstrap(estimates[0]!, samples[0]!, boot.confidence),
    spearman: summarizeBootstrap(estimates[1]!, samples[1]!, boot.confidence),
    kendall: summarizeBootstrap(estimates[2]!, samples[2]!, boot.confidence),
  }
}

/**
 * Pairs with a weight each (a count of copies): Pearson, Spearman and Kendall's tau-b of the list in
 * which pair i appears w_i times, in O(n) (Pearson, Spearman) and O(n log n) (Kendall, Knight's
 * method) per weighting, the orders by (x, y) and by y sorted once. With every weight 1 these are
 * the plain coefficients; a bootstrap resample is a weighting.
 */
export class WeightedPairs {
  private readonly x: Float64Array
  private readonly y: Float64Array
  /** Indices sorted by (x, y), and by y. */
  private readonly byXY: Int32Array
  private readonly byY: Int32Array
  private readonly rankX: Float64Array
  private readonly rankY: Float64Array
  private ys: Float64Array
  private ws: Float64Array
  private ysBuf: Float64Array
  private wsBuf: Float64Array

  constructor(x: readonly number[], y: readonly number[]) {
    check(x, y)
    const n = x.length
    this.x = Float64Array.from(x)
    this.y = Float64Array.from(y)
    this.byXY = Int32Array.from(x.map((_, i) => i).sort((a, b) => x[a]! - x[b]! || y[a]! - y[b]!))
    this.byY = Int32Array.from(y.map((_, i) => i).sort((a, b) => y[a]! - y[b]!))
    this.rankX = new Float64Array(n)
    this.rankY = new Float64Array(n)
    this.ys = new Float64Array(n)
    this.ws = new Float64Array(n)
    this.ysBuf = new Float64Array(n)
    this.wsBuf = new Float64Array(n)
  }

  /** [Pearson, Spearman, Kendall tau-b] of the weighted list (NaN where a side is constant). */
  coefficients(w: Float64Array): [number, number, number] {
    const xTies = averageWeightedRanks(this.x, this.byXY, w, this.rankX)
    const yTies = averageWeightedRanks(this.y, this.byY, w, this.rankY)
    return [weightedPearson(this.x, this.y, w), weightedPearson(this.rankX, this.rankY, w), this.kendall(w, xTies, yTies)]
  }

  private kendall(w: Float64Array, xTies: number, yTies: number): number {
    const { x, y, byXY } = this
    let m = 0
    let total = 0
    let xyTies = 0
    let groupW = 0
    let last = -1
    for (let k = 0; k < byXY.length; k++) {
      const i = byXY[k]!
      const wi = w[i]!
      if (wi === 0) continue
      // Runs of equal (x, y) are contiguous in the (x, y) order: joint ties.
      if (last >= 0 && x[i] === x[last] && y[i] === y[last]) groupW += wi
      else {
        xyTies += (groupW * (groupW - 1)) / 2
        groupW = wi
      }
      last = i
      this.ys[m] = y[i]!
      this.ws[m++] = wi
      total += wi
    }
    xyTies += (groupW * (groupW - 1)) / 2
    const discordant = this.weightedInversions(m)
    const pairs = (total * (total - 1)) / 2
    const denominator = Math.sqrt((pairs - xTies) * (pairs - yTies))
    if (denominator === 0) return Number.NaN
    return Math.max(-1, Math.min(1, (pairs - xTies - yTies + xyTies - 2 * discordant) / denominator))
  }

  // Σ w_i w_j over i before j with y_j < y_i, by a bottom-up merge sort of the first m entries.
  private weightedInversions(m: number): number {
    let ys = this.ys
    let ws = this.ws
    let yb = this.ysBuf
    let wb = this.wsBuf
    let inversions = 0
    for (let width = 1; width < m; width *= 2) {
      for (let lo = 0; lo < m; lo += 2 * width) {
        const mid = Math.min(lo + width, m)
        const hi = Math.min(lo + 2 * width, m)
        let leftWeight = 0
        for (let t = lo; t < mid; t++) leftWeight += ws[t]!
        let i = lo
        let j = mid
        let k = lo
        while (i < mid && j < hi) {
          if (ys[j]! < ys[i]!) {
            inversions += ws[j]! * leftWeight
            yb[k] = ys[j]!
            wb[k++] = ws[j++]!
          } else {
            leftWeight -= ws[i]!
            yb[k] = ys[i]!
            wb[k++] = ws[i++]!
          }
        }
        while (i < mid) {
          yb[k] = ys[i]!
          wb[k++] = ws[i++]!
        }
        while (j < hi) {
          yb[k] = ys[j]!
          wb[k++] = ws[j++]!
        }
      }
      ;[ys, yb] = [yb, ys]
      ;[ws, wb] = [wb, ws]
    }
    this.ys = ys
    this.ws = ws
    this.ysBuf = yb
    this.wsBuf = wb
    return inversions
  }
}

// Average ranks of the weighted list, written per pair into `ranks`; returns Σ W(W−1)/2 over tie groups.
function averageWeightedRanks(v: Float64Array, order: Int32Array, w: Float64Array, ranks: Float64Array): number {
  let below = 0
  let ties = 0
  for (let k = 0; k < order.length; ) {
    let end = k
    let groupW = 0
    while (end < order.length && v[order[end]!] === v[order[k]!]) groupW += w[order[end++]!]!
    const rank = below + (groupW + 1) / 2
    for (let t = k; t < end; t++) ranks[order[t]!] = rank
    below += groupW
    ties += (groupW * (groupW - 1)) / 2
    k = end
  }
  return ties
}

function weightedPearson(x: Float64Array, y: Float64Array, w: Float64Array): number {
  let sw = 0
  let mx = 0
  let my = 0
  for (let i = 0; i < x.length; i++) {
    const wi = w[i]!
    if (wi === 0) continue
    sw += wi
    mx += wi * x[i]!
    my += wi * y[i]!
  }
  mx /= sw
  my /= sw
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < x.length; i++) {
    const wi = w[i]!
    if (wi === 0) continue
    const dx = x[i]! - mx
    const dy = y[i]! - my
    sxy += wi * dx * dy
    sxx += wi * dx * dx
    syy += wi * dy * dy
  }
  if (sxx === 0 || syy === 0) return Number.NaN
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)))
}
