import { mtevalStats, type MtevalOptions, type MtevalScores, type MtevalStats } from './stats'

/** BLEU as mteval-v14c reports it. */
export interface BleuResult extends MtevalScores {
  /** exp(min(0, 1 - r/c)), 0 for an empty test set. */
  brevityPenalty: number
}

/**
 * Corpus BLEU exactly as `mteval-v14c.pl` computes it with its default options: ASCII-lower-cased
 * tokens, the closest reference length (ties to the shorter), clipping against the best
 * reference, and **smoothing on**: an order with no match counts 1/(2^k · tst), and an order
 * with no hypothesis n-grams at all counts as precision 1.
 *
 * @param hypotheses one segment per entry
 * @param references reference sets (one `string[]` per reference file, parallel to `hypotheses`)
 * @example
 * ```ts
 * const { cumulative } = bleu(['the cat sat'], [['the cat sat down'], ['a cat sat']])
 * cumulative[3] // BLEU-4
 * ```
 */
export function bleu(hypotheses: readonly string[], references: readonly (readonly string[])[], options: MtevalOptions = {}): BleuResult {
  return bleuFromStats(mtevalStats(hypotheses, references, options))
}

/** BLEU from precomputed sufficient statistics (see {@link mtevalStats}). */
export function bleuFromStats(stats: MtevalStats): BleuResult {
  const c = stats.tst[0]!
  const brevityPenalty = c > 0 ? Math.exp(Math.min(0, 1 - stats.refLength / c)) : 0
  const cumulative: number[] = []
  const individual: number[] = []
  let smooth = 1
  let score = 0
  for (let j = 1; j <= stats.maxOrder; j++) {
    const tst = stats.tst[j - 1]!
    const match = stats.match[j - 1]!
    let iscore: number
    if (tst === 0) iscore = 0
    else if (match === 0) {
      smooth *= 2
      iscore = Math.log(1 / (smooth * tst))
    } else iscore = Math.log(match / tst)
    individual.push(Math.exp(iscore))
    score += iscore
    cumulative.push(Math.exp(score / j) * brevityPenalty)
  }
  return { cumulative, individual, brevityPenalty, stats }
}
