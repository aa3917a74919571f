import { MetricsInputError } from '../errors'
import { fleissKappa, krippendorffAlpha, likertUnits, pairwiseChoiceTable } from './agreement'
import { resolveBootstrap } from './bootstrap'
import { reproduceReleasedScores, type ReleasedScores } from './dstc7-release'
import type { LikertJudgment, PairwiseJudgment } from './judgments'
import { type LikertOptions, summarizeLikert } from './likert'
import { comparePreferences, type PreferenceOptions } from './preference'
import type { AgreementFigure, HumanEvaluationReport } from './report'

/** Input of {@link evaluateHumanJudgments}: Likert judgments, pairwise judgments, or both. */
export interface HumanEvaluationInput extends LikertOptions, Pick<PreferenceOptions, 'ties' | 'first'> {
  likert?: readonly LikertJudgment[]
  pairwise?: readonly PairwiseJudgment[]
  /** DSTC-7's released per-instance scores, to recompute from the Likert judgments. */
  released?: ReleasedScores
  /** Where the judgments came from, for the report's title. */
  source?: string
}

/**
 * The whole human-evaluation report: Likert rankings with bootstrap intervals and significant
 * differences, the Table 7 / Table 8 preference statistics, agreement between judges
 * (Krippendorff's alpha, ordinal and interval, for ratings; Fleiss' kappa and nominal alpha for
 * pairwise choices), and optionally the check of DSTC-7's released scores.
 */
export function evaluateHumanJudgments(input: HumanEvaluationInput): Omit<HumanEvaluationReport, 'rejected' | 'repeated'> {
  const boot = resolveBootstrap(input)
  const likert = input.likert ?? []
  const pairwise = input.pairwise ?? []
  if (likert.length === 0 && pairwise.length === 0) throw new MetricsInputError('there are no judgments', 'judgments')
  const agreement: AgreementFigure[] = []
  // A measure that is undefined on these data (every rating the same, no unit with two ratings) is
  // reported as NaN with the reason, not as a failed report.
  const measure = (criterion: string, name: AgreementFigure['measure'], units: number, compute: () => number, skipped?: number) => {
    try {
      agreement.push({ criterion, measure: name, value: compute(), units, ...(skipped !== undefined && { skipped }) })
    } catch (error) {
      if (!(error instanceof MetricsInputError)) throw error
      agreement.push({ criterion, measure: name, value: Number.NaN, units, undefinedBecause: error.message, ...(skipped !== undefined && { skipped }) })
    }
  }
  for (const criterion of new Set(likert.map((j) => j.criterion))) {
    const units = likertUnits(likert, criterion)
    const pairable = units.filter((u) => u.length >= 2).length
    for (const level of ['ordinal', 'interval'] as const) measure(criterion, `alpha-${level}`, pairable, () => krippendorffAlpha(units, level))
  }
  for (const criterion of new Set(pairwise.map((j) => j.criterion))) {
    const { table, skipped } = pairwiseChoiceTable(pairwise, criterion)
    measure(criterion, 'fleiss-kappa', table.length, () => fleissKappa(table), skipped)
    const units = table.map((row) => row.flatMap((count, category) => new Array<number>(count).fill(category)))
    measure(criterion, 'alpha-nominal', units.length, () => krippendorffAlpha(units, 'nominal'))
  }
  return {
    source: input.source ?? 'judgments',
    bootstrap: { iterations: boot.iterations, seed: boot.seed, confidence: boot.confidence },
    likert: likert.length ? summarizeLikert(likert, input) : undefined,
    preferences: pairwise.length ? comparePreferences(pairwise, input) : undefined,
    agreement,
    released: input.released ? reproduceReleasedScores(likert, input.released) : undefined,
    judgments: likert.length + pairwise.length,
  }
}
