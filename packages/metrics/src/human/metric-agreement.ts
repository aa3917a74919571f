import { dstcEvaluate, type DstcEvaluation } from '../dstc-evaluate'
import { averageLength } from '../dstc/average-length'
import { dstcCleanStr } from '../dstc/clean-str'
import { dstcReferenceSets, type DstcReferenceOptions } from '../dstc/multi-reference'
import { MetricsInputError } from '../errors'
import type { MeteorOptions } from '../meteor/meteor'
import { meteor } from '../meteor/meteor'
import { bleu } from '../mteval/bleu'
import type { BootstrapOptions } from './bootstrap'
import { type Correlations, correlate } from './correlation'
import type { LikertJudgment } from './judgments'

/** The automatic metrics compared with people, as the paper's tables show them. */
export const AGREEMENT_METRICS = ['NIST-2', 'NIST-4', 'BLEU-2', 'BLEU-4', 'METEOR', 'Entropy-4', 'Dist-1', 'Dist-2', 'Avg len'] as const
/** One of {@link AGREEMENT_METRICS}. */
export type AgreementMetric = (typeof AGREEMENT_METRICS)[number]

/** The metrics that have a per-response value, for segment-level correlation. NIST, Entropy and Dist are defined on a whole corpus only. */
export const SEGMENT_METRICS = ['BLEU-2', 'METEOR', 'Avg len'] as const
/** One of {@link SEGMENT_METRICS}. */
export type SegmentMetric = (typeof SEGMENT_METRICS)[number]

/** Input of {@link metricHumanAgreement}. */
export interface MetricHumanAgreementInput extends DstcReferenceOptions {
  /** The references of each instance, in order (the held-out human response at `vshuman`). */
  references: ReadonlyMap<string, readonly string[]>
  /** system → instance → response. Systems without human judgments are left out. */
  responses: ReadonlyMap<string, ReadonlyMap<string, string>>
  /** Likert judgments; a system's human score is its mean rating over `criteria`. */
  judgments: readonly LikertJudgment[]
  /** Criteria to average. Default: all of them. */
  criteria?: readonly string[]
  /** Per-judge system IDs pooled into a system's human score (as `DSTC7_POOLED_SYSTEMS`). Default none. */
  pooled?: Readonly<Record<string, readonly string[]>>
  /** Apply `clean_str` first, as DialoGPT's evaluation does. Default true. */
  clean?: boolean
  /** METEOR's options, or false to leave METEOR out. */
  meteor: Omit<MeteorOptions, 'normalize'> | false
  /** Also correlate per response (instance × system). Default true. */
  segments?: boolean
  /** Bootstrap of the system-level correlations (systems resampled). */
  bootstrap?: BootstrapOptions
  /** Bootstrap of the segment-level correlations (responses resampled). Default 1,000 iterations: Kendall on thousands of pairs costs more per resample. */
  segmentBootstrap?: BootstrapOptions
}

/** Each system's automatic scores and human mean. */
export interface SystemScores {
  system: string
  human: number
  humanRatings: number
  metrics: Record<AgreementMetric, number>
  evaluation: DstcEvaluation
}

/** How one metric agrees with the judges. */
export interface MetricCorrelation {
  metric: string
  level: 'system' | 'segment'
  /** Systems, or responses, correlated. */
  n: number
  correlations: Correlations
}

/** The outcome of {@link metricHumanAgreement}. */
export interface MetricHumanAgreement {
  instances: number
  systems: SystemScores[]
  correlations: MetricCorrelation[]
}

/**
 * Scores every system with the library's metrics against the references (prepared as `dstc.py`
 * does: `nRefs` cycled sets, the human response dropped at `vshuman`, `clean_str`), and correlates
 * each metric with the judges' mean rating: at the system level (one point per system), and at the
 * segment level (one point per response, against its own mean rating) for the metrics that have a
 * per-response value: sentence BLEU-2 (mteval's smoothing on one segment), METEOR's segment score,
 * and length.
 */
export function metricHumanAgreement(input: MetricHumanAgreementInput): MetricHumanAgreement {
  const criteria = input.criteria ?? [...new Set(input.judgments.map((j) => j.criterion))]
  const pooled = input.pooled ?? {}
  const clean = input.clean ?? true
  const instances = [...input.references.keys()]
  if (instances.length === 0) throw new MetricsInputError('there are no instances', 'references')
  const ratingSums = new Map<string, [number, number]>()
  const systemOf = new Map<string, string>()
  for (const [system, ids] of Object.entries(pooled)) for (const id of ids) systemOf.set(id, system)
  for (const j of input.judgments) {
    if (!criteria.includes(j.criterion)) continue
    const system = systemOf.get(j.system) ?? j.system
    for (const key of [system, `${system}\t${j.item}`]) {
      const s = ratingSums.get(key) ?? [0, 0]
      s[0] += j.rating
      s[1]++
      ratingSums.set(key, s)
    }
  }
  const systems = [...input.responses.keys()].filter((s) => ratingSums.has(s)).sort()
  if (systems.length < 2) throw new MetricsInputError(`fewer than two systems have both responses and judgments (${systems.join(', ') || 'none'})`, 'responses')
  const prepare = (s: string) => (clean ? dstcCleanStr(s) : s)
  const refSets = dstcReferenceSets(
    instances.map((id) => input.references.get(id)!.map(prepare)),
    { nRefs: input.nRefs, vshuman: input.vshuman },
  )
  const scored: SystemScores[] = []
  const segmentX: Record<SegmentMetric, number[]> = { 'BLEU-2': [], METEOR: [], 'Avg len': [] }
  const segmentHuman: number[] = []
  for (const system of systems) {
    const answers = input.responses.get(system)!
    const hyps = instances.map((id) => {
      const r = answers.get(id)
      if (r === undefined) throw new MetricsInputError(`${system} has no response to instance ${id}`, 'responses')
      return prepare(r)
    })
    // METEOR once: its corpus score for the table and its segment scores for the segment level.
    const meteorResult = input.meteor === false ? undefined : meteor(hyps, refSets, input.meteor)
    const evaluation = { ...dstcEvaluate({ hypotheses: hyps, references: refSets, meteor: false }), meteor: meteorResult?.score ?? Number.NaN }
    const [sum, count] = ratingSums.get(system)!
    scored.push({
      system,
      human: sum / count,
      humanRatings: count,
      evaluation,
      metrics: {
        'NIST-2': evaluation.nist[1],
        'NIST-4': evaluation.nist[3],
        'BLEU-2': evaluation.bleu[1],
        'BLEU-4': evaluation.bleu[3],
        METEOR: evaluation.meteor,
        'Entropy-4': evaluation.entropy[3],
        'Dist-1': evaluation.dist[0],
        'Dist-2': evaluation.dist[1],
        'Avg len': evaluation.avgLen,
      },
    })
    if (input.segments ?? true) {
      const meteorSegments = meteorResult?.segments
      hyps.forEach((h, k) => {
        const rated = ratingSums.get(`${system}\t${instances[k]}`)
        if (!rated) return
        segmentHuman.push(rated[0] / rated[1])
        segmentX['BLEU-2'].push(bleu([h], refSets.map((set) => [set[k]!])).cumulative[1]!)
        segmentX.METEOR.push(meteorSegments ? meteorSegments[k]! : Number.NaN)
        segmentX['Avg len'].push(averageLength([h]))
      })
    }
  }
  const human = scored.map((s) => s.human)
  const correlations: MetricCorrelation[] = []
  for (const metric of AGREEMENT_METRICS) {
    const xs = scored.map((s) => s.metrics[metric])
    if (xs.some((x) => !Number.isFinite(x))) continue
    correlations.push({ metric, level: 'system', n: xs.length, correlations: correlate(xs, human, input.bootstrap) })
  }
  if (input.segments ?? true)
    for (const metric of SEGMENT_METRICS) {
      const xs = segmentX[metric]
      if (xs.length < 2 || xs.some((x) => !Number.isFinite(x))) continue
      correlations.push({ metric, level: 'segment', n: xs.length, correlations: correlate(xs, segmentHuman, { iterations: 1000, ...input.segmentBootstrap }) })
    }
  return { instances: instances.length, systems: scored, correlations }
}
