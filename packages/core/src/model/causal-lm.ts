import * as tf from '@tensorflow/tfjs-core'
import { padRows } from '@dialogpt/data'
import { yieldToEventLoop, type CausalLM } from '@dialogpt/decode'
import { disposeCache, type GPT2, type KVCache } from './gpt2'
import { gatherRows, sparseNll, takeRows } from './ops'

/** Target positions that go through the output head together when scoring. */
const HEAD_ROWS = 128
/** {@link GPT2Decoding.score} runs one forward pass over about this many positions (rows × longest row) at a time. */
const SCORE_CHUNK_TOKENS = 512

/**
 * A {@link GPT2} as `@dialogpt/decode`'s {@link CausalLM}: one step of new tokens after the cache,
 * the cache reordered for beam search, and the scoring MMI reranks with. Get one with
 * {@link causalLM}.
 */
export class GPT2Decoding implements CausalLM<KVCache> {
  constructor(readonly model: GPT2) {}

  get vocabSize(): number {
    return this.model.config.vocab_size
  }

  get maxPositions(): number {
    return this.model.config.n_positions
  }

  /** The last position's logits `[rows, vocab]` and the extended cache. */
  step(inputIds: number[][], cache: KVCache | undefined, attentionMask: number[][]): { logits: tf.Tensor2D; cache: KVCache } {
    const out = this.model.forward(inputIds, { cache, attentionMask, lastOnly: true })
    const logits = tf.squeeze(out.logits, [1]) as tf.Tensor2D
    out.logits.dispose()
    return { logits, cache: out.cache }
  }

  /** A new cache with the given rows (the old one is left to the caller). */
  reorderCache(cache: KVCache, rows: number[]): KVCache {
    return { layers: cache.layers.map((l) => ({ key: gatherRows(l.key, rows), value: gatherRows(l.value, rows) })), length: cache.length }
  }

  disposeCache(cache: KVCache): void {
    disposeCache(cache)
  }

  /**
   * The mean negative log-likelihood (natural log) of each target given its context. Rows are
   * scored in chunks of about `SCORE_CHUNK_TOKENS` (512) positions, each padded on the right to its
   * own longest row (padding is masked and never scored), with a turn of the event loop between
   * chunks, so `signal` stops a long scoring within one chunk.
   */
  async score(contextIds: number[][], targetIds: number[][], options: { signal?: AbortSignal } = {}): Promise<number[]> {
    if (contextIds.length !== targetIds.length || contextIds.length === 0) throw new RangeError('score() needs one target per context')
    for (const ctx of contextIds) if (ctx.length === 0) throw new RangeError('score() needs at least one context token before the target')
    const length = (i: number) => contextIds[i]!.length + targetIds[i]!.length
    const sums: number[] = []
    for (let start = 0; start < contextIds.length; ) {
      let end = start + 1
      let longest = length(start)
      while (end < contextIds.length && (end + 1 - start) * Math.max(longest, length(end)) <= SCORE_CHUNK_TOKENS) longest = Math.max(longest, length(end++))
      for (const s of await this.scoreChunk(contextIds.slice(start, end), targetIds.slice(start, end))) sums.push(s)
      start = end
      if (start < contextIds.length) {
        await yieldToEventLoop()
        if (options.signal?.aborted) throw options.signal.reason ?? new DOMException('scoring was aborted', 'AbortError')
      }
    }
    return sums.map((s, i) => s / targetIds[i]!.length)
  }

  /** The summed NLL of each target of one chunk of rows, from one forward pass. */
  private async scoreChunk(contextIds: number[][], targetIds: number[][]): Promise<number[]> {
    const { rows: ids, mask, length: T } = padRows(
      contextIds.map((ctx, i) => [...ctx, ...targetIds[i]!]),
      { side: 'right', value: this.model.config.eos_token_id },
    )
    // The flat position (row·T + t) of the logits that predict each target token.
    const at: number[] = []
    const tokens: number[] = []
    const owner: number[] = []
    contextIds.forEach((ctx, i) =>
      targetIds[i]!.forEach((token, k) => {
        at.push(i * T + ctx.length + k - 1)
        tokens.push(token)
        owner.push(i)
      }),
    )
    const input = this.model.prepare(ids, { attentionMask: mask })
    const hidden = tf.tidy(() => {
      const out = this.model.hiddenStates(input)
      disposeCache(out.cache)
      return takeRows(out.hidden, tf.tensor1d(at, 'int32')) // [targets, C]
    })
    input.ids.dispose()
    // The head runs on HEAD_ROWS target positions at a time: the logits of all of them at once
    // (16 MMI hypotheses) would take hundreds of megabytes.
    const parts: tf.Tensor1D[] = []
    for (let start = 0; start < at.length; start += HEAD_ROWS) {
      const n = Math.min(HEAD_ROWS, at.length - start)
      parts.push(tf.tidy(() => sparseNll(this.model.head(tf.slice(hidden, [start, 0], [n, hidden.shape[1]])), tokens.slice(start, start + n))))
    }
    hidden.dispose()
    const nll = tf.concat(parts)
    tf.dispose(parts)
    const values = await nll.data()
    nll.dispose()
    const sums = new Array<number>(ids.length).fill(0)
    values.forEach((v, k) => (sums[owner[k]!]! += v))
    return sums
  }
}

const adapters = new WeakMap<GPT2, GPT2Decoding>()

/** The model as a {@link CausalLM} for `@dialogpt/decode`'s `generate`, `stream` and MMI (one adapter per model). */
export function causalLM(model: GPT2): GPT2Decoding {
  let adapter = adapters.get(model)
  if (!adapter) adapters.set(model, (adapter = new GPT2Decoding(model)))
  return adapter
}
