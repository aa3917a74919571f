import { MetricsInputError } from '../errors'
import { Rng } from '../random/rng'

/** How the bootstrap resamples. */
export interface BootstrapOptions {
  /** Resamples to draw. Default 10,000, as the paper's Table 8. */
  iterations?: number
  /** Seed of the project's {@link Rng}: the same seed gives the same numbers on every run and platform. Default 1. */
  seed?: number
  /** Coverage of the percentile interval. Default 0.95. */
  confidence?: number
}

/** The defaults of {@link BootstrapOptions}. */
export const BOOTSTRAP_DEFAULTS = { iterations: 10_000, seed: 1, confidence: 0.95 } as const

/** A statistic with its bootstrap standard deviation and percentile interval. */
export interface BootstrapEstimate {
  /** The statistic on the data as observed. */
  estimate: number
  /** Standard deviation of the statistic over the resamples (n - 1 divisor). */
  sd: number
  /** The percentile interval at the chosen confidence: [low, high]. */
  ci: [number, number]
}

/** A difference between two statistics, with its two-sided bootstrap p-value. */
export interface BootstrapDifference extends BootstrapEstimate {
  /**
   * Two-sided p-value: twice the smaller share of resampled differences that fall on either side of
   * zero (≤ 0 or ≥ 0), at most 1. A value of 0 means fewer than one resample in `iterations` crossed
   * zero: p < 2 / iterations, and no finer.
   */
  p: number
}

/** Checks and fills {@link BootstrapOptions}. */
export function resolveBootstrap(options: BootstrapOptions = {}): Required<BootstrapOptions> {
  const o = { ...BOOTSTRAP_DEFAULTS, ...options }
  if (!Number.isInteger(o.iterations) || o.iterations < 1) throw new MetricsInputError(`must be a positive integer, got ${o.iterations}`, 'iterations')
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed >= 2 ** 32) throw new MetricsInputError(`must be an integer from 0 to 2^32 - 1, got ${o.seed}`, 'seed')
  if (!(o.confidence > 0 && o.confidence < 1)) throw new MetricsInputError(`must lie strictly between 0 and 1, got ${o.confidence}`, 'confidence')
  return o
}

/**
 * Draws `iterations` resamples of `n` items with replacement, and calls `visit` with the indices
 * drawn (n of them, in drawing order; reused between calls, so do not keep it). Resampling whole
 * items keeps together everything said about one item (all its judges, all systems), as the
 * paper's test does.
 */
export function forEachResample(n: number, options: Required<BootstrapOptions>, visit: (drawn: Int32Array, iteration: number) => void): void {
  if (!Number.isInteger(n) || n < 1) throw new MetricsInputError(`there must be at least one item to resample, got ${n}`, 'items')
  const rng = new Rng(options.seed)
  const drawn = new Int32Array(n)
  for (let it = 0; it < options.iterations; it++) {
    for (let k = 0; k < n; k++) drawn[k] = rng.int(n)
    visit(drawn, it)
  }
}

/** Σ values[i] over the drawn items (an item drawn twice counts twice): a resample's total of a per-item quantity. */
export function resampledTotal(drawn: Int32Array, values: Float64Array): number {
  let total = 0
  for (let k = 0; k < drawn.length; k++) total += values[drawn[k]!]!
  return total
}

/**
 * The `q`-quantile of sorted values by linear interpolation between order statistics (position
 * `q·(m − 1)`, numpy's default "linear" method).
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length
  if (m === 0) return Number.NaN
  const pos = q * (m - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(lo + 1, m - 1)
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!)
}

/** The estimate, standard deviation and percentile interval of a statistic from its resamples. Resamples that are `NaN` (nothing drawn to average) are left out. */
export function summarizeBootstrap(estimate: number, samples: Float64Array, confidence: number): BootstrapEstimate {
  const finite = samples.filter((x) => !Number.isNaN(x)).sort()
  const m = finite.length
  let mean = 0
  for (let i = 0; i < m; i++) mean += finite[i]!
  mean /= m
  let ss = 0
  for (let i = 0; i < m; i++) ss += (finite[i]! - mean) ** 2
  const tail = (1 - confidence) / 2
  return { estimate, sd: m > 1 ? Math.sqrt(ss / (m - 1)) : Number.NaN, ci: [quantileSorted(finite, tail), quantileSorted(finite, 1 - tail)] }
}

/** {@link summarizeBootstrap} plus the two-sided p-value of a difference (see {@link BootstrapDifference.p}). */
export function summarizeDifference(estimate: number, samples: Float64Array, confidence: number): BootstrapDifference {
  let below = 0
  let above = 0
  let m = 0
  for (const x of samples) {
    if (Number.isNaN(x)) continue
    m++
    if (x <= 0) below++
    if (x >= 0) above++
  }
  return { ...summarizeBootstrap(estimate, samples, confidence), p: Math.min(1, (2 * Math.min(below, above)) / m) }
}
