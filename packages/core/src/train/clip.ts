import * as tf from '@tensorflow/tfjs-core'
import { clipFactor } from './adam-rule'

/**
 * Scales gradients so that their global L2 norm (over all tensors together) is at most `maxNorm`,
 * as PyTorch's `clip_grad_norm_` does: every tensor is multiplied by `maxNorm / (norm + 1e-6)` when
 * that factor is below 1, otherwise returned as a copy. Returns new tensors (the caller disposes
 * both the inputs and the outputs) and the norm before clipping. With `inPlace`, the map itself is
 * updated (each replaced tensor disposed as soon as its scaled copy exists) and returned, so only
 * one extra tensor is alive at a time.
 */
/** The L2 norm of all the tensors together. */
export function globalNorm(tensors: readonly tf.Tensor[]): number {
  if (tensors.length === 0) return 0
  return tf.tidy(() => Math.sqrt(tf.addN(tensors.map((t) => tf.sum(tf.square(t)))).dataSync()[0]!))
}

export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number, options: { inPlace?: boolean } = {}): { grads: tf.NamedTensorMap; norm: number } {
  if (!(maxNorm > 0)) throw new RangeError(`clipByGlobalNorm: maxNorm must be a positive number, got ${maxNorm}`)
  const names = Object.keys(grads)
  const norm = globalNorm(Object.values(grads))
  const coef = clipFactor(maxNorm, norm)
  if (options.inPlace) {
    // one scaled tensor alive at a time: for big models the gradients are a large share of memory
    if (coef < 1) {
      for (const n of names) {
        const scaled = tf.tidy(() => tf.mul(grads[n]!, coef))
        grads[n]!.dispose()
        grads[n] = scaled
      }
    }
    return { grads, norm }
  }
  const out: tf.NamedTensorMap = {}
  for (const n of names) out[n] = coef < 1 ? tf.tidy(() => tf.mul(grads[n]!, coef)) : tf.clone(grads[n]!)
  return { grads: out, norm }
}
