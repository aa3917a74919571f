import * as tf from '@tensorflow/tfjs-core'
import { recordingGradients } from './heap'
import { untransposedMatMul } from './matmul'

/** A transposed copy of a `wte`, and the data it was made from (so a reassigned `wte` is noticed). */
interface Cached {
  dataId: object
  transposed: tf.Tensor2D
}

const cache = new WeakMap<tf.Tensor, Cached>()

/**
 * The output head `h · wteᵀ` on wasm. In inference it multiplies by a transposed copy of `wte` kept
 * beside it (the head cache): an untransposed product, which XNNPACK runs, about 4× faster for one
 * row (7 ms instead of 30 at the 124M shape, most of a decode step), for `vocab × n_embd × 4` more
 * bytes (147 MiB at 124M). The copy follows `wte` when training reassigns it, and is never used
 * while gradients are recorded; there, and with the cache off, the head is `(wte · hᵀ)ᵀ`, which
 * keeps the big operand untransposed (1.5× faster for one row than a flagged product, no extra memory).
 */
export function tiedHeadKernel(options: { headCache: boolean }) {
  return (h: tf.Tensor2D, wte: tf.Tensor2D): tf.Tensor2D => {
    if (!options.headCache || recordingGradients()) return tf.transpose(untransposedMatMul(wte, tf.transpose(h)))
    const dataId = (wte as unknown as { dataId: object }).dataId
    let entry = cache.get(wte)
    if (entry?.dataId !== dataId) {
      entry?.transposed.dispose()
      entry = { dataId, transposed: tf.keep(tf.transpose(wte)) }
      cache.set(wte, entry)
    }
    return tf.matMul(h, entry.transposed)
  }
}

/** Frees the transposed copies kept for these tensors (their model is being disposed). */
export function releaseHeadCache(tensors: Iterable<tf.Tensor>): void {
  for (const t of tensors) {
    cache.get(t)?.transposed.dispose()
    cache.delete(t)
  }
}
