/**
 * @packageDocumentation
 * `@dialogpt/data`: DialoGPT's training data — the paper's filters as pure functions with a
 * counting pipeline, the example encoding of the original `prepro.py` (turns joined by eos,
 * per-turn loss weights, windowing of long sessions, reversed data for the backward model) and its
 * `train.tsv` format, and length-bucketed, seeded, resumable batching. The file-system parts (the
 * token store, Reddit dump readers) are in `@dialogpt/data/node`.
 */
export { makeFeature, makeFeatures, EOS, IGNORE, type Feature } from './encode/feature'
export { encodeGpt2, decodeGpt2, EOS_TOKEN_ID, GPT2_VOCAB_SIZE } from './encode/gpt2-bpe'
export { parseTurn, parseTsvLine, formatTsvLine, tsvLineToFeatures, turnsToFeatures, type WeightedTurn, type EncodeOptions } from './encode/tsv'
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
export { MemoryExamples, asExampleSource, unpadded, type ExampleSource, type TrainingExample } from './store/example'
export { Batcher, padBatch, type Batch, type BatchPosition, type BatcherOptions } from './batching/batcher'
export { seededRandom, shuffleInPlace } from './random/seeded-random'
export { Rng } from '@dialogpt/metrics'
export { padRows, type PaddedRows } from './encode/padding'
export { crc32 } from './store/crc32'
export { commentFromRow, parseCommentLine, type RedditComment, type CommentParseResult } from './reddit/comment'
export { commentRule, minimalNormSentence } from './reddit/extract'
export { threadSessions, type RedditSession, type SessionOptions } from './reddit/sessions'
export { gptNormSentence } from './reddit/gpt-norm'
export { TrigramCounter } from './reddit/trigram-counter'
export { emptyReport, type PrepareReport } from './prepare/prepare-report'
export type { MalformedLine } from './input/malformed'
export { formatPrepareReport } from './prepare/report-format'
