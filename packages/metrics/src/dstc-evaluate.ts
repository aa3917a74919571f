import { averageLength } from './dstc/average-length'
import { dstcCleanStr } from './dstc/clean-str'
import { distinct } from './dstc/distinct'
import { entropy } from './dstc/entropy'
import { checkCorpus, MetricsInputError } from './errors'
import { meteor, type MeteorOptions } from './meteor/meteor'
import { bleuFromStats } from './mteval/bleu'
import { nistFromStats } from './mteval/nist'
import { mtevalStats } from './mteval/stats'

/** Input of {@link dstcEvaluate}. */
export interface DstcEvaluateInput {
  /** One system response per segment. */
  hypotheses: readonly string[]
  /** Reference sets: one `string[]` per reference file, each parallel to `hypotheses`. */
  references: readonly (readonly string[])[]
  /** Apply DialoGPT's `clean_str` to hypotheses and references first (`dstc.py --clean`, which DialoGPT's batch evaluation always passes). Default false. */
  clean?: boolean
  /** mteval's `-c`. Default false, as DialoGPT runs it. */
  caseSensitive?: boolean
  /**
   * METEOR's options (at least `resources`), or `false` to skip METEOR (`meteor` is then `NaN`).
   * Required: METEOR's data is not bundled (see {@link MeteorResources}).
   */
  meteor: Omit<MeteorOptions, 'normalize'> | false
}

/** DialoGPT's evaluation table, at full precision. */
export interface DstcEvaluation {
  /** NIST-1..4 (cumulative). DialoGPT prints these rounded to 4 decimals by mteval. */
  nist: [number, number, number, number]
  /** BLEU-1..4 (cumulative), fractions. DialoGPT prints these rounded to 4 decimals by mteval. */
  bleu: [number, number, number, number]
  /** METEOR 1.5 final score (`NaN` when skipped). */
  meteor: number
  /** Entropy-1..4 (natural log). */
  entropy: [number, number, number, number]
  /** Dist-1, Dist-2 (`NaN` where the corpus has no n-grams, where the original divides by zero). */
  dist: [number, number]
  /** Average hypothesis length in whitespace tokens. */
  avgLen: number
}

/**
 * Runs DialoGPT's whole evaluation (`dstc/dstc.py` → `metrics.py`) in one call: optional
 * `clean_str`, then mteval-v14c BLEU/NIST (with `&` and `<` blanked as `_write_xml` does),
 * METEOR 1.5 with `-norm`, and Entropy, Dist-n and average length on the hypotheses.
 *
 * @example
 * ```ts
 * import { dstcEvaluate } from '@dialogpt/metrics'
 * import { loadMeteorResources } from '@dialogpt/metrics/node'
 * const scores = dstcEvaluate({
 *   hypotheses: ['i do n\'t know .'],
 *   references: [['i have no idea .'], ['no clue .']],
 *   clean: true,
 *   meteor: { resources: await loadMeteorResources('./meteor-data') },
 * })
 * ```
 */
export function dstcEvaluate(input: DstcEvaluateInput): DstcEvaluation {
  checkCorpus(input.hypotheses, input.references)
  if (input.hypotheses.length === 0) throw new MetricsInputError('the corpus is empty', 'hypotheses')
  if (input.meteor === undefined)
    throw new MetricsInputError('pass { resources } for METEOR (see loadMeteorResources in @dialogpt/metrics/node), or false to skip it', 'meteor')
  const hyps = input.clean ? input.hypotheses.map(dstcCleanStr) : input.hypotheses.slice()
  const refs = input.clean ? input.references.map((set) => set.map(dstcCleanStr)) : input.references.map((set) => set.slice())
  const stats = mtevalStats(hyps, refs, { caseSensitive: input.caseSensitive ?? false, maxOrder: 4 })
  const four = (xs: number[]) => xs.slice(0, 4) as [number, number, number, number]
  return {
    nist: four(nistFromStats(stats).cumulative),
    bleu: four(bleuFromStats(stats).cumulative),
    meteor: input.meteor === false ? Number.NaN : meteor(hyps, refs, input.meteor).score,
    entropy: four(entropy(hyps, 4)),
    dist: distinct(hyps, 2) as [number, number],
    avgLen: averageLength(hyps),
  }
}
