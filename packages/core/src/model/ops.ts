import * as tf from '@tensorflow/tfjs-core'
import { QuantizedMatrix } from '../quant/quantized-matrix'
import { kernel } from './kernel-registry'

/**
 * The operations GPT-2 is built from. Each runs the kernel registered for the current backend
 * (see `kernel-registry.ts`) when there is one and it accepts the call, and otherwise the plain
 * tfjs composite written here, which is the definition every kernel is tested against.
 */

/** A linear layer's weight: float32 `[in, out]` (GPT-2's Conv1D), or held in 8 or 16 bits. */
export type LinearWeight = tf.Tensor2D | QuantizedMatrix

/** `x · weight + bias`: a Conv1D / linear layer, weight `[in, out]`. `[N, in]` → `[N, out]`. */
export function linear(x: tf.Tensor2D, weight: LinearWeight, bias: tf.Tensor1D): tf.Tensor2D {
  if (weight instanceof QuantizedMatrix) return quantizedLinear(x, weight, bias)
  const k = kernel('linear')
  return k?.(x, weight, bias) ?? tf.add(tf.matMul(x, weight), bias)
}

/**
 * `x · Wᵀ (+ bias)` for a quantized weight (`[out, in]`). The composite dequantizes the weight to
 * float32 and multiplies (exact dequantization, so this is the definition kernels are tested
 * against); the registered kernel multiplies the 8- or 16-bit weights directly.
 */
export function quantizedLinear(x: tf.Tensor2D, weight: QuantizedMatrix, bias?: tf.Tensor1D): tf.Tensor2D {
  const fast = kernel('quantizedLinear')?.(x, weight, bias)
  if (fast) return fast
  return tf.tidy(() => {
    const y = tf.matMul(x, tf.tensor2d(weight.dequantizeInOut(), [weight.inFeatures, weight.outFeatures]))
    return (bias ? tf.add(y, bias) : y) as tf.Tensor2D
  })
}

/** Rows of an embedding table by token id, `[N]` → `[N, C]`: differentiable for float32 tables, dequantized for quantized ones. */
export function embed(table: LinearWeight, ids: tf.Tensor1D): tf.Tensor2D {
  if (!(table instanceof QuantizedMatrix)) return takeRows(table, ids)
  return tf.tensor2d(table.dequantizeRows(Array.from(ids.dataSync())), [ids.size, table.inFeatures])
}

/** LayerNorm over the last axis: `(x - mean) / √(variance + ε) · gain + bias`. `[N, C]` → `[N, C]`. */
export function layerNorm(x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D, epsilon: number): tf.Tensor2D {
  const k = kernel('layerNorm')
  const fast = k?.(x, gain, bias, epsilon)
  if (fast) return fast
  const { mean, variance } = tf.moments(x, -1, true)
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), gain), bias)
}

/** GPT-2's GELU, the tanh approximation: `0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))`. */
export function geluNew(x: tf.Tensor2D): tf.Tensor2D {
  const k = kernel('geluNew')
  const fast = k?.(x)
  if (fast) return fast
  const cube = tf.mul(tf.mul(x, x), x)
  const inner = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), Math.sqrt(2 / Math.PI))
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1))
}

/**
 * Scaled dot-product attention: `softmax(q · kᵀ · scale + bias) · v`, where `bias` is 0 for the
 * keys a query may see and -1e9 for the others. q `[B, H, T, D]`, k and v `[B, H, S, D]`, bias
 * `[B, 1, T, S]` → `[B, H, T, D]`.
 */
export function attention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D, scale: number, probabilityDropout?: Dropout): tf.Tensor4D {
  const fast = probabilityDropout ? null : kernel('attention')?.(q, k, v, bias, scale)
  if (fast) return fast
  const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), scale), bias) // [B, H, T, S]
  return tf.matMul(dropout(tf.softmax(scores), probabilityDropout), v) as tf.Tensor4D
}

/** Dropout at one place in the network: its rate, and the seed of its mask. */
export interface Dropout {
  rate: number
  seed: number
}

/**
 * Inverted dropout: each element is zeroed with probability `rate` and the rest scaled by
 * `1 / (1 - rate)`, so the expected value is unchanged. The mask comes from tfjs's seeded uniform
 * generator, so the same seed gives the same mask on every backend (what makes a resumed training
 * run bit-identical). No `dropout`, or a rate of 0, returns `x` itself.
 */
export function dropout<T extends tf.Tensor>(x: T, d: Dropout | undefined): T {
  if (!d || d.rate === 0) return x
  return tf.tidy(() => {
    const keep = tf.floor(tf.add(tf.randomUniform(x.shape, 0, 1, 'float32', d.seed), 1 - d.rate)) // 1 with probability 1 - rate
    return tf.mul(x, tf.mul(keep, 1 / (1 - d.rate))) as T
  })
}

/** The output head tied to the token embedding: `h · wteᵀ`. `[N, C]` → `[N, vocab]`. */
export function tiedHead(h: tf.Tensor2D, wte: LinearWeight): tf.Tensor2D {
  if (wte instanceof QuantizedMatrix) return quantizedLinear(h, wte)
  const k = kernel('tiedHead')
  return k?.(h, wte) ?? tf.matMul(h, wte, false, true)
}

/** Rows `rows` of `x` along the first axis (rows may repeat): reorders a KV cache. Not differentiated. */
export function gatherRows<T extends tf.Tensor>(x: T, rows: readonly number[]): T {
  const n = x.shape[0]!
  for (const r of rows) if (!Number.isInteger(r) || r < 0 || r >= n) throw new RangeError(`row ${r} is outside [0, ${n})`)
  const k = kernel('gatherRows')
  return k?.(x, rows) ?? (tf.tidy(() => tf.gather(x, tf.tensor1d(rows as number[], 'int32'))) as T)
}

/**
 * Rows of `table` by index, differentiable: the gradient is a scatter-add into the table's shape
 * (tfjs's own `gather` gradient needs `UnsortedSegmentSum`, which the wasm backend lacks). Used for
 * the embeddings and to pick the positions whose logits a loss needs. `[R, C]`, `[N]` → `[N, C]`.
 */
export const takeRows = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [table, ids, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc]
  save([ids])
  return {
    value: tf.gather(table, ids),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const idx = saved[0]!
      return [tf.scatterND(tf.reshape(idx, [idx.size, 1]), dy as tf.Tensor, table.shape), tf.zerosLike(idx)]
    },
  }
}) as (table: tf.Tensor2D, ids: tf.Tensor1D) => tf.Tensor2D

/**
 * The negative log-likelihood of each target under its row of logits: `-log_softmax(logits)[i,
 * targets[i]]`. `[N, V]`, `[N]` → `[N]`. One sparse computation (a pick, no one-hot over the
 * vocabulary) for the training loss, the objective and MMI scoring; callers pass only the rows
 * that count, so there is no ignore index here.
 */
export function sparseNll(logits: tf.Tensor2D, targets: readonly number[]): tf.Tensor1D {
  const [N, V] = logits.shape
  if (targets.length !== N) throw new RangeError(`sparseNll: ${targets.length} targets for ${N} rows of logits`)
  for (const t of targets) if (!Number.isInteger(t) || t < 0 || t >= V) throw new RangeError(`target ${t} is outside the vocabulary [0, ${V})`)
  return tf.tidy(() => {
    const logp = tf.reshape(tf.logSoftmax(logits), [N * V, 1]) as tf.Tensor2D
    const picked = takeRows(logp, tf.tensor1d(targets.map((t, i) => i * V + t), 'int32')) // [N, 1]
    return tf.neg(tf.reshape(picked, [N])) as tf.Tensor1D
  })
}
