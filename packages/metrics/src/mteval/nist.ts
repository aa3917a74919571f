import { mtevalStats, type MtevalOptions, type MtevalScores, type MtevalStats } from './stats'

/** NIST as mteval-v14c reports it. */
export interface NistResult extends MtevalScores {
  /** exp(-β ln²(hyp words / average reference words)), capped to [0, 1]. */
  lengthPenalty: number
}

/**
 * Corpus NIST exactly as `mteval-v14c.pl` computes it: information weights from every
 * reference segment of every reference set (duplicates counted), the Perl quirk that treats a
 * `"0"` prefix as absent, and a length penalty against the **average** reference length.
 *
 * @param hypotheses one segment per entry
 * @param references reference sets (one `string[]` per reference file, parallel to `hypotheses`)
 */
export function nist(hypotheses: readonly string[], references: readonly (readonly string[])[], options: MtevalOptions = {}): NistResult {
  return nistFromStats(mtevalStats(hypotheses, references, options))
}

/** NIST from precomputed sufficient statistics (see {@link mtevalStats}). */
export function nistFromStats(stats: MtevalStats): NistResult {
  const lengthPenalty = nistLengthPenalty(stats.tst[0]! / (stats.refWords / stats.nRefSets))
  const cumulative: number[] = []
  const individual: number[] = []
  let score = 0
  for (let n = 1; n <= stats.maxOrder; n++) {
    const iscore = stats.tstInfo[n - 1]! / Math.max(stats.tst[n - 1]!, 1)
    score += iscore
    cumulative.push(score * lengthPenalty)
    individual.push(iscore * lengthPenalty)
  }
  return { cumulative, individual, lengthPenalty, stats }
}

function nistLengthPenalty(ratio: number): number {
  if (ratio >= 1) return 1
  if (ratio <= 0) return 0
  const ratioX = 1.5
  const scoreX = 0.5
  const beta = -Math.log(scoreX) / Math.log(ratioX) / Math.log(ratioX)
  return Math.exp(-beta * Math.log(ratio) * Math.log(ratio))
}
