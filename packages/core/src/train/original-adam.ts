import * as tf from '@tensorflow/tfjs-core'
import { MomentOptimizer, type Moments } from './moment-optimizer'

export interface OriginalAdamOptions {
  learningRate: number
  /** Default 0.9. */
  beta1?: number
  /** Default 0.999. */
  beta2?: number
  /** Default 1e-6, the original's. */
  epsilon?: number
  /** Default 0.01, applied to every tensor (biases and LayerNorms too), as the original's fp32 path does. */
  weightDecay?: number
  /** Per-tensor gradient norm limit; default 1.0. `Infinity` turns clipping off. */
  maxGradNorm?: number
}

/**
 * The original DialoGPT fp32 optimiser (a BERT-style Adam), for faithful reproduction: for each
 * parameter tensor on its own, clip its gradient to norm `maxGradNorm`, then
 * `m = β1·m + (1-β1)·g`, `v = β2·v + (1-β2)·g²`, `p -= lr · (m / (√v + ε) + wd · p)` —
 * **no bias correction**, so the first steps move less than AdamW's. Use {@link AdamW} otherwise.
 */
export class OriginalAdam extends MomentOptimizer {
  static get className(): string {
    return 'OriginalAdam'
  }

  learningRate: number
  readonly beta1: number
  readonly beta2: number
  readonly epsilon: number
  readonly weightDecay: number
  readonly maxGradNorm: number

  constructor(options: OriginalAdamOptions) {
    super()
    this.learningRate = options.learningRate
    this.beta1 = options.beta1 ?? 0.9
    this.beta2 = options.beta2 ?? 0.999
    this.epsilon = options.epsilon ?? 1e-6
    this.weightDecay = options.weightDecay ?? 0.01
    this.maxGradNorm = options.maxGradNorm ?? 1
    if (!(this.maxGradNorm > 0)) throw new RangeError(`OriginalAdam: maxGradNorm must be positive, got ${this.maxGradNorm}`)
  }

  protected updateVariable(variable: tf.Variable, grad: tf.Tensor, { m, v }: Moments): void {
    let g: tf.Tensor = grad
    if (Number.isFinite(this.maxGradNorm)) {
      const norm = Math.sqrt(tf.sum(tf.square(grad)).dataSync()[0]!)
      const coef = this.maxGradNorm / (norm + 1e-6)
      if (coef < 1) g = tf.mul(grad, coef)
    }
    const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1))
    const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2))
    m.assign(mNew)
    v.assign(vNew)
    let update = tf.div(mNew, tf.add(tf.sqrt(vNew), this.epsilon))
    if (this.weightDecay !== 0) update = tf.add(update, tf.mul(variable, this.weightDecay))
    variable.assign(tf.sub(variable, tf.mul(update, this.learningRate)))
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay, maxGradNorm: this.maxGradNorm }
  }
}

tf.serialization.registerClass(OriginalAdam)
