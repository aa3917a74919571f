/**
 * @packageDocumentation
 * `@dialogpt/decode`: greedy search, sampling, beam search and DialoGPT's MMI reranking for causal
 * language models on TensorFlow.js, with Hugging Face `generate()` semantics, logits processors in
 * Hugging Face's order, streaming, `AbortSignal` and `maxTime`. It needs only `@tensorflow/tfjs-core`
 * and a model implementing {@link CausalLM} (as `@dialogpt/core`'s `GPT2` does).
 */
export type { CausalLM } from './causal-lm'
export { GenerationConfig, GenerationConfigError, GENERATION_DEFAULTS, resolveConfig, dialogptBackwardInput, type MmiConfig, type ResolvedConfig } from './config'
export { generate } from './generate'
export { generateBatch, type BatchRequest, type BatchResult } from './batch-loop'
export { stream, streamText } from './stream'
export { beamSearch } from './beam-search'
export { mmiRerank, type MmiScores } from './mmi'
export { yieldToEventLoop } from './control'
export type { GeneratedSequence, FinishReason, StepScores } from './result'
export {
  applyRepetitionPenalty,
  applyNoRepeatNgram,
  bannedNgramTokens,
  applyBadWords,
  applyMinNewTokens,
  applyTemperature,
  applyTopK,
  applyTopP,
  type Scores,
} from './processors/processors'
export { processScores, logSoftmax, argmax, sampleIndex } from './processors/pipeline'
