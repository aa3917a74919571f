/**
 * @packageDocumentation
 * `@dialogpt/data`: DialoGPT's training data. So far: the paper's filters as pure functions with a
 * counting pipeline, and the example encoding of the original
 * `prepro.py` (turns joined by eos, per-turn loss weights, windowing of long sessions, reversed
 * data for the backward model) and its `train.tsv` format. Reddit readers, trees, the
 * blandness counting pass, lazy-loading store and batching are not implemented yet.
 */
export { makeFeature, makeFeatures, EOS, IGNORE, type Feature } from './encode/feature'
export { parseTurn, parseTsvLine, formatTsvLine, tsvLineToFeatures, type WeightedTurn, type EncodeOptions } from './encode/tsv'
export {
  urlFilter,
  repetitionFilter,
  commonWordFilter,
  markupFilter,
  lengthFilter,
  longTokenFilter,
  capitalsFilter,
  phraseBlocklistFilter,
  subredditFilter,
  blandnessFilter,
  trigrams,
  mostFrequentWords,
  TOP_ENGLISH_WORDS,
} from './filters/filters'
export { filterPipeline, type FilterPipeline } from './filters/pipeline'
export type { Instance, Filter, FilterResult } from './filters/instance'
