import type * as tf from '@tensorflow/tfjs-core'

/**
 * What the decoders need from a model. `@dialogpt/core`'s `GPT2` implements it; any causal LM
 * can. `Cache` is opaque to the decoders: they only pass it back, reorder it and dispose it.
 */
export interface CausalLM<Cache = unknown> {
  readonly vocabSize: number
  /** Longest sequence the model accepts. */
  readonly maxPositions: number
  /**
   * One step: feeds `inputIds` (`[rows, new positions]`) after what `cache` holds, with
   * `attentionMask` covering cached + new positions (1 real, 0 padding), and returns the logits
   * of each row's **last** position (`[rows, vocab]`) and the extended cache.
   */
  step(inputIds: number[][], cache: Cache | undefined, attentionMask: number[][]): { logits: tf.Tensor2D; cache: Cache }
  /** A new cache holding rows `rows` of `cache` (rows may repeat). The caller still owns `cache`. */
  reorderCache(cache: Cache, rows: number[]): Cache
  disposeCache(cache: Cache): void
  /**
   * For MMI: the mean negative log-likelihood (natural log) of each `targetIds[i]` given
   * `contextIds[i]` — the model reads context then target, and every target token is predicted
   * from the position before it. With `signal`, a long scoring stops (rejecting with the signal's
   * reason, tensors freed) within about one step's worth of work.
   */
  score(contextIds: number[][], targetIds: number[][], options?: { signal?: AbortSignal }): Promise<number[]>
}
