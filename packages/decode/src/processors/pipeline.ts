import type { ResolvedConfig } from '../config'
import {
  applyBadWords,
  applyMinNewTokens,
  applyNoRepeatNgram,
  applyRepetitionPenalty,
  applyTemperature,
  applyTopK,
  applyTopP,
  type Scores,
} from './processors'

/**
 * Hugging Face's processor order for one row: repetition penalty → no-repeat n-gram → bad words
 * → min new tokens, then, when sampling, temperature → top-K → top-P. `generated` counts the
 * row's new tokens so far.
 */
export function processScores(scores: Scores, ids: readonly number[], generated: number, c: ResolvedConfig, sampling: boolean): void {
  if (c.repetitionPenalty !== 1) applyRepetitionPenalty(scores, ids, c.repetitionPenalty)
  if (c.noRepeatNgramSize > 0) applyNoRepeatNgram(scores, ids, c.noRepeatNgramSize)
  if (c.badWordsIds.length > 0) applyBadWords(scores, ids, c.badWordsIds, c.eosTokenIds)
  if (c.minNewTokens > 0) applyMinNewTokens(scores, generated, c.minNewTokens, c.eosTokenIds)
  if (!sampling) return
  if (c.temperature !== 1) applyTemperature(scores, c.temperature)
  if (c.topK > 0) applyTopK(scores, c.topK)
  if (c.topP < 1) applyTopP(scores, c.topP)
}

/** First index of the largest score (argmax's tie rule). */
export function argmax(scores: Scores): number {
  let best = 0
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i
  return best
}

/** Draws an index with probability softmax(scores) (filtered entries have probability 0). */
export function sampleIndex(scores: Scores, uniform: number): number {
  let max = -Infinity
  for (let i = 0; i < scores.length; i++) if (scores[i]! > max) max = scores[i]!
  let total = 0
  for (let i = 0; i < scores.length; i++) total += Math.exp(scores[i]! - max)
  let target = uniform * total
  let last = -1
  for (let i = 0; i < scores.length; i++) {
    const p = Math.exp(scores[i]! - max)
    if (p === 0) continue
    last = i
    target -= p
    if (target < 0) return i
  }
  return last
}

/** `log_softmax` of a row, in float64. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!
  let total = 0
  for (let i = 0; i < logits.length; i++) total += Math.exp(logits[i]! - max)
  const lse = max + Math.log(total)
  const out = new Float64Array(logits.length)
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - lse
  return out
}
