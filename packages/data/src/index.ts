/**
 * @packageDocumentation
 * `@dialogpt/data`: DialoGPT's training data. So far: the example encoding of the original
 * `prepro.py` (turns joined by eos, per-turn loss weights, windowing of long sessions, reversed
 * data for the backward model) and its `train.tsv` format. Reddit readers, filters, the
 * lazy-loading store and batching are not implemented yet.
 */
export { makeFeature, makeFeatures, EOS, IGNORE, type Feature } from './encode/feature'
export { parseTurn, parseTsvLine, formatTsvLine, tsvLineToFeatures, type WeightedTurn, type EncodeOptions } from './encode/tsv'
