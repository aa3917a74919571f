import * as tf from '@tensorflow/tfjs-core'
import { recordingGradients } from './heap'

/** Single-row inference calls with at least this many new positions compute attention per head. */
const PER_HEAD_MIN_POSITIONS = 96

/**
 * Attention as one untransposed 2-D product per (row, head) for one long prompt: tfjs-wasm runs
 * batched or transposed matmuls in a scalar loop, XNNPACK only the 2-D untransposed ones. It pays
 * from about 80 positions (-8% at 96, -39% at 512); below that, or with several rows, the per-head
 * calls and their operand packing cost more than they save, so those calls decline (null).
 */
export function perHeadAttention(q: tf.Tensor4D, key: tf.Tensor4D, value: tf.Tensor4D, bias: tf.Tensor4D, scale: number): tf.Tensor4D | null {
  const [B, H, T, D] = q.shape
  if (B !== 1 || T < PER_HEAD_MIN_POSITIONS || recordingGradients()) return null
  const S = key.shape[2]
  const qs = tf.unstack(tf.reshape(tf.mul(q, scale), [B * H, T, D]))
  const ks = tf.unstack(tf.reshape(tf.transpose(key, [0, 1, 3, 2]), [B * H, D, S]))
  const scores = tf.add(tf.reshape(tf.stack(qs.map((x, i) => tf.matMul(x as tf.Tensor2D, ks[i] as tf.Tensor2D))), [B, H, T, S]), bias)
  const ps = tf.unstack(tf.reshape(tf.softmax(scores), [B * H, T, S]))
  const vs = tf.unstack(tf.reshape(value, [B * H, S, D]))
  return tf.reshape(tf.stack(ps.map((p, i) => tf.matMul(p as tf.Tensor2D, vs[i] as tf.Tensor2D))), [B, H, T, D]) as tf.Tensor4D
}
