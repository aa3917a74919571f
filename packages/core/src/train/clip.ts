import * as tf from '@tensorflow/tfjs-core'

/**
 * Scales gradients so that their global L2 norm (over all tensors together) is at most `maxNorm`,
 * as PyTorch's `clip_grad_norm_` does: every tensor is multiplied by `maxNorm / (norm + 1e-6)` when
 * that factor is below 1, otherwise returned as a copy. Returns new tensors (the caller disposes
 * both the inputs and the outputs) and the norm before clipping.
 */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): { grads: tf.NamedTensorMap; norm: number } {
  if (!(maxNorm > 0)) throw new RangeError(`clipByGlobalNorm: maxNorm must be a positive number, got ${maxNorm}`)
  const names = Object.keys(grads)
  const norm = tf.tidy(() => {
    if (names.length === 0) return 0
    const squares = names.map((n) => tf.sum(tf.square(grads[n]!)))
    return Math.sqrt(tf.addN(squares).dataSync()[0]!)
  })
  const coef = maxNorm / (norm + 1e-6)
  const out: tf.NamedTensorMap = {}
  for (const n of names) out[n] = coef < 1 ? tf.tidy(() => tf.mul(grads[n]!, coef)) : tf.clone(grads[n]!)
  return { grads: out, norm }
}
