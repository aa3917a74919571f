import { checkCorpus, MetricsInputError } from '../errors'
import { align, type MeteorModule } from './aligner'
import { javaTokenize } from './java-string'
import { meteorNormalize } from './normalize'
import type { MeteorResources } from './resources'
import { addStats, emptyStats, METEOR_ENGLISH, scoreStats, statsFromAlignment, type MeteorParameters, type MeteorScore, type MeteorStats } from './stats'

/** Options for {@link meteor}. */
export interface MeteorOptions {
  /** METEOR's English resources (see {@link MeteorResources}). */
  resources: MeteorResources
  /**
   * Matcher modules, in order. Default: METEOR's English modules that have data —
   * `['exact', 'stem', 'synonym']`, plus `'paraphrase'` when the paraphrase table is loaded (which
   * is DSTC-7's setting). Asking for a module without its data throws
   * {@link MeteorModuleUnavailableError}.
   */
  modules?: MeteorModule[]
  /**
   * Scoring weight of each module, by position. Default: METEOR's English weights
   * `1.0 0.6 0.8 0.6` cut to the number of modules (METEOR assigns them by position).
   */
  weights?: number[]
  /** α, β, γ, δ. Default: METEOR 1.5's English `rank` parameters (0.85, 0.2, 0.6, 0.75). */
  parameters?: MeteorParameters
  /** Apply METEOR's `-norm` tokenizer and lower-casing, as DialoGPT's evaluation does. Default true. */
  normalize?: boolean
  /** Width of the alignment beam search. Default 40. */
  beamSize?: number
}

/** METEOR's corpus result. */
export interface MeteorResult extends MeteorScore {
  /** Summed statistics of the best reference of each segment. */
  stats: MeteorStats
  /** Each segment's score against its best reference. */
  segments: number[]
  modules: MeteorModule[]
  weights: number[]
  /** METEOR's Eval ID for this configuration, e.g. `meteor-1.5-wo-en-norm-0.85_0.2_0.6_0.75-ex_st_sy-1.0_0.6_0.8`. */
  evalId: string
}

/** Thrown when a requested METEOR module has no data to run on. */
export class MeteorModuleUnavailableError extends Error {
  override readonly name = 'MeteorModuleUnavailableError'
  constructor(
    readonly module: MeteorModule,
    reason: string,
  ) {
    super(`METEOR module '${module}' is unavailable: ${reason}`)
  }
}

const ENGLISH_WEIGHTS = [1.0, 0.6, 0.8, 0.6]
const SHORT: Record<MeteorModule, string> = { exact: 'ex', stem: 'st', synonym: 'sy', paraphrase: 'pa' }

/**
 * METEOR 1.5 (`-l en -norm`), number for number: the corpus "Final score" computed from the
 * summed statistics of each segment's best reference.
 *
 * @param hypotheses one segment per entry
 * @param references reference sets (one `string[]` per reference file, parallel to `hypotheses`)
 * @example
 * ```ts
 * import { loadMeteorResources } from '@dialogpt/metrics/node'
 * const resources = await loadMeteorResources('/path/to/meteor-data')
 * meteor(['the cat sat on the mat'], [['a cat was sitting on the mat']], { resources }).score
 * ```
 */
export function meteor(hypotheses: readonly string[], references: readonly (readonly string[])[], options: MeteorOptions): MeteorResult {
  checkCorpus(hypotheses, references)
  const modules = options.modules ?? (options.resources.paraphrases ? ['exact', 'stem', 'synonym', 'paraphrase'] : ['exact', 'stem', 'synonym'])
  if (modules.length === 0) throw new MetricsInputError('at least one METEOR module is needed', 'modules')
  for (const m of modules) {
    if (m === 'synonym' && !options.resources.synonyms)
      throw new MeteorModuleUnavailableError(m, 'no synonym data was loaded (english.synsets and english.exceptions)')
    if (m === 'paraphrase' && !options.resources.paraphrases)
      throw new MeteorModuleUnavailableError(m, 'no paraphrase table was loaded (paraphrase-en.gz, about 59 MB, from METEOR 1.5)')
    if (!(m in SHORT)) throw new MetricsInputError(`unknown METEOR module '${m}'`, 'modules')
  }
  const weights = options.weights ?? ENGLISH_WEIGHTS.slice(0, modules.length)
  if (weights.length !== modules.length) throw new MetricsInputError(`${weights.length} weights for ${modules.length} modules`, 'weights')
  const parameters = options.parameters ?? METEOR_ENGLISH
  const normalize = options.normalize ?? true
  const prepare = (line: string) => javaTokenize(normalize ? meteorNormalize(line, options.resources.nonbreakingPrefixes).toLowerCase() : line)

  const total = emptyStats(modules.length)
  const segments: number[] = []
  hypotheses.forEach((hyp, i) => {
    const test = prepare(hyp)
    let best: MeteorStats | undefined
    let bestScore = -1
    for (const set of references) {
      const stats = statsFromAlignment(align(test, prepare(set[i]!), modules, options.resources, options.beamSize))
      const { score } = scoreStats(stats, weights, parameters)
      if (score > bestScore) {
        best = stats
        bestScore = score
      }
    }
    addStats(total, best!)
    segments.push(bestScore)
  })
  const p = parameters
  const evalId = `meteor-1.5-wo-en-${normalize ? 'norm' : 'lower'}-${[p.alpha, p.beta, p.gamma, p.delta].map(javaDouble).join('_')}-${modules.map((m) => SHORT[m]).join('_')}-${weights.map(javaDouble).join('_')}`
  return { ...scoreStats(total, weights, parameters), stats: total, segments, modules: modules.slice(), weights, evalId }
}

/** Java's `Double.toString` for the simple values in an Eval ID (`1.0`, `0.85`). */
function javaDouble(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x)
}
