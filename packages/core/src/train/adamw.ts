import * as tf from '@tensorflow/tfjs-core'
import { MomentOptimizer, type MomentOptimizerOptions } from './moment-optimizer'

/** Which tensors weight decay applies to: all of them, or only the matrices (2-D and up). */
export type DecayScope = 'all' | 'matrices'

export interface AdamWOptions extends MomentOptimizerOptions {
  /** Decoupled weight decay (0 = plain Adam). Default 0. */
  weightDecay?: number
  /** Default `'all'`. */
  decay?: DecayScope
}

/**
 * AdamW (Loshchilov & Hutter) as a `tf.Optimizer`: bias-corrected moments and weight decay decoupled
 * from the gradient, applied to the pre-step value — `p -= lr · (m̂ / (√v̂ + ε) + wd · p)`, PyTorch's
 * `AdamW`. Works with the gradients `tf.variableGrads` returns:
 *
 * ```ts
 * const opt = new AdamW({ learningRate: 1e-4, weightDecay: 0.01, decay: 'matrices' })
 * const { value, grads } = tf.variableGrads(() => model.loss(ids, labels), [...model.parameters().values()])
 * opt.applyGradients(grads)
 * ```
 *
 * Each variable's update runs in its own `tidy`, so only one tensor's temporaries are alive at a time.
 */
export class AdamW extends MomentOptimizer {
  static get className(): string {
    return 'AdamW'
  }

  readonly weightDecay: number
  readonly decay: DecayScope

  constructor(options: AdamWOptions) {
    super(options, 1e-8)
    this.weightDecay = options.weightDecay ?? 0
    this.decay = options.decay ?? 'all'
  }

  protected direction(m: tf.Tensor, v: tf.Tensor): tf.Tensor {
    const c1 = 1 - Math.pow(this.beta1, this.step)
    const c2 = 1 - Math.pow(this.beta2, this.step)
    return tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), this.epsilon))
  }

  protected override hostScales(): [number, number] {
    return [1 / (1 - Math.pow(this.beta1, this.step)), 1 / (1 - Math.pow(this.beta2, this.step))]
  }

  protected decayFor(variable: tf.Variable): number {
    return this.weightDecay > 0 && (this.decay === 'all' || variable.rank >= 2) ? this.weightDecay : 0
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay, decay: this.decay }
  }
}

tf.serialization.registerClass(AdamW)
