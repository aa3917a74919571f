import * as tf from '@tensorflow/tfjs-core'
import { MomentOptimizer, type MomentOptimizerOptions } from './moment-optimizer'

/** `epsilon` defaults to 1e-6, the original's. */
export interface OriginalAdamOptions extends MomentOptimizerOptions {
  /** Default 0.01, applied to every tensor (biases and LayerNorms too), as the original's fp32 path does. */
  weightDecay?: number
  /** Per-tensor gradient norm limit; default 1.0. `Infinity` turns clipping off. */
  maxGradNorm?: number
}

/**
 * The original DialoGPT fp32 optimiser (a BERT-style Adam), for faithful reproduction: for each
 * parameter tensor on its own, clip its gradient to norm `maxGradNorm`, then
 * `m = β1·m + (1-β1)·g`, `v = β2·v + (1-β2)·g²`, `p -= lr · (m / (√v + ε) + wd · p)` —
 * **no bias correction**, so the first steps differ from AdamW's (the very first moves each
 * element by about 3.16·lr, where AdamW moves it by lr). Use {@link AdamW} otherwise.
 */
export class OriginalAdam extends MomentOptimizer {
  static get className(): string {
    return 'OriginalAdam'
  }

  readonly weightDecay: number
  readonly maxGradNorm: number

  constructor(options: OriginalAdamOptions) {
    super(options, 1e-6)
    this.weightDecay = options.weightDecay ?? 0.01
    this.maxGradNorm = options.maxGradNorm ?? 1
    if (!(this.maxGradNorm > 0)) throw new RangeError(`OriginalAdam: maxGradNorm must be positive, got ${this.maxGradNorm}`)
  }

  /** Clips this tensor's gradient alone to norm `maxGradNorm` (PyTorch's `clip_grad_norm_` rule). */
  protected override prepareGradient(grad: tf.Tensor): tf.Tensor {
    if (!Number.isFinite(this.maxGradNorm)) return grad
    const norm = Math.sqrt(tf.sum(tf.square(grad)).dataSync()[0]!)
    const coef = this.maxGradNorm / (norm + 1e-6)
    return coef < 1 ? tf.mul(grad, coef) : grad
  }

  protected override prepareGradientHost(grad: Float32Array): Float32Array {
    if (!Number.isFinite(this.maxGradNorm)) return grad
    let sum = 0
    for (let i = 0; i < grad.length; i++) sum += grad[i]! * grad[i]!
    const coef = this.maxGradNorm / (Math.sqrt(sum) + 1e-6)
    if (coef < 1) for (let i = 0; i < grad.length; i++) grad[i] = grad[i]! * coef
    return grad
  }

  protected direction(m: tf.Tensor, v: tf.Tensor): tf.Tensor {
    return tf.div(m, tf.add(tf.sqrt(v), this.epsilon))
  }

  protected decayFor(): number {
    return this.weightDecay
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay, maxGradNorm: this.maxGradNorm }
  }
}

tf.serialization.registerClass(OriginalAdam)
