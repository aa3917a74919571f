import * as tf from '@tensorflow/tfjs-core'
import type { CausalLM } from '@dialogpt/decode'
import type { GPT2Decoding } from './causal-lm'
import { disposeCache, type KVCache } from './gpt2'

/** Ids fed so far and the cache holding exactly their positions (0 … ids.length - 1). */
interface Held {
  ids: number[]
  cache: KVCache
}

/** A cache whose tensors share their data with `cache` (a `tf.clone` copies no data), so either can be freed alone. */
function share(cache: KVCache, positions = cache.length): KVCache {
  const take = (t: tf.Tensor4D) => (positions === cache.length ? tf.clone(t) : (tf.slice(t, [0, 0, 0, 0], [t.shape[0], t.shape[1], positions, t.shape[3]]) as tf.Tensor4D))
  return { layers: cache.layers.map((l) => ({ key: take(l.key), value: take(l.value) })), length: positions }
}

/**
 * A {@link CausalLM} that remembers the keys and values of the conversation it generated last, so
 * that a chat turn feeds only its new tokens. A generation that starts with one unpadded row (the
 * prompt of greedy decoding, sampling and streaming) reuses the positions of the longest common
 * prefix of its prompt and the ids held, and feeds the rest; every later step of a one-row
 * generation extends what is held. Positions are always 0 … n - 1 from the start of the prompt,
 * as for a fresh prompt, so a prompt whose start changed (the history was truncated: its oldest
 * turns dropped) shares no prefix and is computed from scratch, as Hugging Face would. Beam search
 * and batched calls pass through and forget what is held.
 */
export class ConversationCache implements CausalLM<KVCache> {
  private held: Held | undefined
  /** The generation in progress: what it fed, and the last cache it was returned (ours to compare, not to free). */
  private live: (Held & { returned: KVCache }) | undefined
  /** Positions the last prompt took from the held cache instead of computing them (for tests and benchmarks). */
  lastReused = 0

  constructor(readonly inner: GPT2Decoding) {}

  get vocabSize(): number {
    return this.inner.vocabSize
  }

  get maxPositions(): number {
    return this.inner.maxPositions
  }

  step(inputIds: number[][], cache: KVCache | undefined, attentionMask: number[][]): { logits: tf.Tensor2D; cache: KVCache } {
    const oneRow = inputIds.length === 1 && attentionMask.length === 1 && attentionMask[0]!.every((m) => m === 1)
    if (cache === undefined) return this.prefill(inputIds, attentionMask, oneRow)
    const out = this.inner.step(inputIds, cache, attentionMask)
    if (this.live && oneRow && cache === this.live.returned) {
      disposeCache(this.live.cache)
      this.live = { ids: [...this.live.ids, ...inputIds[0]!], cache: share(out.cache), returned: out.cache }
    } else this.dropLive()
    return out
  }

  reorderCache(cache: KVCache, rows: number[]): KVCache {
    return this.inner.reorderCache(cache, rows)
  }

  disposeCache(cache: KVCache): void {
    this.inner.disposeCache(cache)
  }

  score(contextIds: number[][], targetIds: number[][], options?: { signal?: AbortSignal }): Promise<number[]> {
    return this.inner.score(contextIds, targetIds, options)
  }

  /** Frees what is held; the next prompt is computed from scratch. */
  forget(): void {
    this.dropLive()
    if (this.held) disposeCache(this.held.cache)
    this.held = undefined
  }

  /** Positions held for the next prompt. */
  get heldPositions(): number {
    return this.live?.ids.length ?? this.held?.ids.length ?? 0
  }

  private prefill(inputIds: number[][], attentionMask: number[][], oneRow: boolean): { logits: tf.Tensor2D; cache: KVCache } {
    // The generation before this one has ended: what it fed is what this one may reuse.
    if (this.live) {
      if (this.held) disposeCache(this.held.cache)
      this.held = { ids: this.live.ids, cache: this.live.cache }
      this.live = undefined
    }
    if (!oneRow) {
      this.forget()
      this.lastReused = 0
      return this.inner.step(inputIds, undefined, attentionMask)
    }
    const ids = inputIds[0]!
    const reuse = this.commonPrefix(ids)
    const start = reuse > 0 ? share(this.held!.cache, reuse) : undefined
    let out: { logits: tf.Tensor2D; cache: KVCache }
    try {
      out = this.inner.step([ids.slice(reuse)], start, attentionMask)
    } finally {
      disposeCache(start)
    }
    this.lastReused = reuse
    // What this generation feeds supersedes what was held (it starts with the part that was reused).
    if (this.held) disposeCache(this.held.cache)
    this.held = undefined
    this.live = { ids: [...ids], cache: share(out.cache), returned: out.cache }
    return out
  }

  /** How many leading ids of `ids` the held cache has, leaving at least one to feed (the step needs a position to give logits for). */
  private commonPrefix(ids: readonly number[]): number {
    const held = this.held?.ids ?? []
    const limit = Math.min(held.length, ids.length - 1)
    let n = 0
    while (n < limit && held[n] === ids[n]) n++
    return n
  }

  private dropLive(): void {
    if (this.live) disposeCache(this.live.cache)
    this.live = undefined
  }
}
