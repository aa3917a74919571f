import * as tf from '@tensorflow/tfjs-core'
import type { CausalLM } from '../causal-lm'

/** The toy model's "cache": the ids seen so far per row (so reordering and disposal can be checked). */
export interface ToyCache {
  rows: number[][]
  disposed: boolean
}

/**
 * A bigram language model over a small vocabulary, for testing the decoders without a network:
 * the logits after token `t` are row `t` of `table` (`[vocab, vocab]`), whatever came before. It
 * counts steps, rows, live caches and score calls, so tests can check what the decoders ask of a model.
 */
export class ToyLM implements CausalLM<ToyCache> {
  readonly vocabSize: number
  steps = 0
  stepRows: number[] = []
  liveCaches = 0
  scoreCalls: number[][][] = []

  constructor(
    readonly table: number[][],
    readonly maxPositions = 64,
  ) {
    this.vocabSize = table.length
  }

  /** log-softmax of row `t`. */
  logProbs(t: number): number[] {
    const row = this.table[t]!
    const max = Math.max(...row)
    const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0))
    return row.map((x) => x - lse)
  }

  step(inputIds: number[][], cache: ToyCache | undefined, attentionMask: number[][]): { logits: tf.Tensor2D; cache: ToyCache } {
    this.steps++
    this.stepRows.push(inputIds.length)
    if (cache && cache.rows.length !== inputIds.length) throw new Error(`the cache has ${cache.rows.length} rows, the step ${inputIds.length}`)
    const rows = inputIds.map((ids, r) => [...(cache?.rows[r] ?? []), ...ids])
    rows.forEach((r, i) => {
      if (attentionMask[i]!.length !== r.length) throw new Error(`mask of ${attentionMask[i]!.length} for ${r.length} positions`)
    })
    this.liveCaches++
    return { logits: tf.tensor2d(rows.map((r) => this.table[r[r.length - 1]!]!)), cache: { rows, disposed: false } }
  }

  reorderCache(cache: ToyCache, rows: number[]): ToyCache {
    this.liveCaches++
    return { rows: rows.map((r) => cache.rows[r]!.slice()), disposed: false }
  }

  disposeCache(cache: ToyCache): void {
    if (cache.disposed) throw new Error('cache disposed twice')
    cache.disposed = true
    this.liveCaches--
  }

  /** Mean NLL of each target given its context, under the bigram table. */
  async score(contextIds: number[][], targetIds: number[][]): Promise<number[]> {
    this.scoreCalls.push(targetIds)
    return contextIds.map((ctx, i) => {
      let prev = ctx[ctx.length - 1]!
      let nll = 0
      for (const t of targetIds[i]!) {
        nll -= this.logProbs(prev)[t]!
        prev = t
      }
      return nll / targetIds[i]!.length
    })
  }
}

/** A random bigram table with a fixed seed (a tiny linear congruential generator: only the test's own numbers). */
export function randomTable(vocab: number, seed: number): number[][] {
  let x = seed >>> 0
  const next = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 6 - 3
  return Array.from({ length: vocab }, () => Array.from({ length: vocab }, next))
}
