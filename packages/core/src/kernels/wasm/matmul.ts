import * as tf from '@tensorflow/tfjs-core'

/**
 * `a · b` whose gradients are also untransposed products (`dy · bᵀ` and `aᵀ · dy` with explicit
 * transposes), where tfjs's own gradient uses transpose flags. tfjs-wasm runs a matmul through
 * XNNPACK only without transpose flags and with a batch of 1; flagged ones take a scalar loop. For
 * GPT-2 training this moves the backward pass's big products (the tied head's above all) onto the
 * fast path: a training step of a small model is about 2.5× faster.
 */
export const untransposedMatMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc]
  save([a, b])
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [x, w] = saved as [tf.Tensor2D, tf.Tensor2D]
      // The tidy frees the transposed copies at once; otherwise they would live until the whole
      // backward pass ends (tfjs runs it in one tidy): a copy of every weight matrix at the peak.
      return tf.tidy(() => [tf.matMul(dy as tf.Tensor2D, tf.transpose(w)), tf.matMul(tf.transpose(x), dy as tf.Tensor2D)])
    },
  }
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D
