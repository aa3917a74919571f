/**
 * @packageDocumentation
 * `@dialogpt/metrics`: the DSTC-7 / DialoGPT evaluation — BLEU and NIST as `mteval-v14c.pl`,
 * METEOR 1.5, and DialoGPT's Entropy, Dist-n and average length — in pure TypeScript, number for
 * number with the official scripts. No tensor library; runs in Node and in browsers.
 * File-system helpers (METEOR data loading and download, reading corpora) are in
 * `@dialogpt/metrics/node`.
 *
 * Human evaluation: reading per-judge Likert and pairwise judgments, the paper's preference tables
 * and bootstrap tests (Tables 7 and 8), Likert rankings with intervals, agreement between judges
 * (Krippendorff's alpha, Fleiss' kappa), and how each automatic metric correlates with people.
 */
export { dstcEvaluate, type DstcEvaluateInput, type DstcEvaluation } from './dstc-evaluate'
export { bleu, bleuFromStats, type BleuResult } from './mteval/bleu'
export { nist, nistFromStats, type NistResult } from './mteval/nist'
export { mtevalStats, type MtevalOptions, type MtevalScores, type MtevalStats } from './mteval/stats'
export { mtevalTokenize, dialogptXmlText } from './mteval/tokenize'
export { formatMteval, roundMteval } from './mteval/format'
export { entropy } from './dstc/entropy'
export { distinct } from './dstc/distinct'
export { averageLength } from './dstc/average-length'
export { dstcCleanStr } from './dstc/clean-str'
export { tweetTokenize } from './text/tweet-tokenize'
export { meteor, MeteorModuleUnavailableError, type MeteorOptions, type MeteorResult } from './meteor/meteor'
export type { MeteorModule } from './meteor/aligner'
export { METEOR_ENGLISH, type MeteorParameters, type MeteorScore, type MeteorStats } from './meteor/stats'
export { meteorNormalize, parseNonbreakingPrefixes, type NonbreakingPrefixes } from './meteor/normalize'
export { stemEnglish } from './meteor/english-stemmer'
export { SynonymDictionary } from './meteor/synonyms'
export { ParaphraseTable } from './meteor/paraphrase-table'
export { parseMeteorResources, METEOR_RESOURCE_FILES, type MeteorResources, type MeteorResourceTexts } from './meteor/resources'
export { MetricsInputError } from './errors'
export { Rng } from './random/rng'
export { dstcReferenceSets, type DstcReferenceOptions } from './dstc/multi-reference'
export { readTableRows, tableFormatOf, type TableFormat, type TableRow, type TableRows, type RejectedRow, type ReadTableOptions } from './text/table-rows'
export {
  readLikertJudgments,
  readPairwiseJudgments,
  type LikertJudgment,
  type PairwiseJudgment,
  type PairwiseChoice,
  type JudgmentsRead,
  type ReadJudgmentsOptions,
  type ReadLikertOptions,
} from './human/judgments'
export {
  BOOTSTRAP_DEFAULTS,
  forEachResample,
  quantileSorted,
  resolveBootstrap,
  summarizeBootstrap,
  summarizeDifference,
  type BootstrapOptions,
  type BootstrapEstimate,
  type BootstrapDifference,
} from './human/bootstrap'
export { significanceStars, signTestP, logGamma, logChoose } from './human/significance'
export { comparePreferences, type PreferenceOptions, type PreferenceComparison } from './human/preference'
export { summarizeLikert, ALL_CRITERIA, type LikertOptions, type LikertSummary, type LikertSystem, type LikertDifference } from './human/likert'
export { krippendorffAlpha, fleissKappa, likertUnits, pairwiseChoiceTable, type AlphaLevel } from './human/agreement'
export { pearson, spearman, kendallTauB, averageRanks, correlate, type CorrelationKind, type Correlations } from './human/correlation'
export {
  DSTC7_POOLED_SYSTEMS,
  DSTC7_RELEASE_FILES,
  readDstc7References,
  readDstc7Responses,
  readDstc7ReleasedScores,
  reproduceReleasedScores,
  type ReleasedScores,
  type ReleasedScoreCheck,
  type ReleasedScoreDifference,
} from './human/dstc7-release'
export {
  metricHumanAgreement,
  AGREEMENT_METRICS,
  SEGMENT_METRICS,
  type AgreementMetric,
  type SegmentMetric,
  type MetricHumanAgreementInput,
  type MetricHumanAgreement,
  type MetricCorrelation,
  type SystemScores,
} from './human/metric-agreement'
export { evaluateHumanJudgments, type HumanEvaluationInput } from './human/evaluate-human'
export {
  humanEvaluationMarkdown,
  humanEvaluationCsv,
  metricAgreementMarkdown,
  metricAgreementCsv,
  type HumanEvaluationReport,
  type AgreementFigure,
} from './human/report'
export { intervalChartSvg, scatterChartSvg, escapeXml, type IntervalRow, type ScatterPanel, type ScatterPoint } from './human/svg-chart'
