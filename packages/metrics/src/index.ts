/**
 * @packageDocumentation
 * `@dialogpt/metrics`: the DSTC-7 / DialoGPT evaluation — BLEU and NIST as `mteval-v14c.pl`,
 * METEOR 1.5, and DialoGPT's Entropy, Dist-n and average length — in pure TypeScript, number for
 * number with the official scripts. No tensor library; runs in Node and in browsers.
 * File-system helpers (METEOR data loading and download, reading corpora) are in
 * `@dialogpt/metrics/node`.
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
