import * as tf from '@tensorflow/tfjs-core'
import { MomentOptimizer, type Moments } from './moment-optimizer'

/** Which tensors weight decay applies to: all of them, or only the matrices (2-D and up). */
export type DecayScope = 'all' | 'matrices'

export interface AdamWOptions {
  learningRate: number
  beta1?: number
  beta2?: number
  epsilon?: number
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

  learningRate: number
  readonly beta1: number
  readonly beta2: number
  readonly epsilon: number
  readonly weightDecay: number
  readonly decay: DecayScope

  constructor(options: AdamWOptions) {
    super()
    this.learningRate = options.learningRate
    this.beta1 = options.beta1 ?? 0.9
    this.beta2 = options.beta2 ?? 0.999
    this.epsilon = options.epsilon ?? 1e-8
    this.weightDecay = options.weightDecay ?? 0
    this.decay = options.decay ?? 'all'
  }

  protected updateVariable(variable: tf.Variable, grad: tf.Tensor, { m, v }: Moments): void {
    const c1 = 1 - Math.pow(this.beta1, this.step)
    const c2 = 1 - Math.pow(this.beta2, this.step)
    const wd = this.weightDecay > 0 && (this.decay === 'all' || variable.rank >= 2) ? this.weightDecay : 0
    const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(grad, 1 - this.beta1))
    const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2))
    m.assign(mNew)
    v.assign(vNew)
    let update = tf.div(tf.div(mNew, c1), tf.add(tf.sqrt(tf.div(vNew, c2)), this.epsilon))
    if (wd !== 0) update = tf.add(update, tf.mul(variable, wd))
    variable.assign(tf.sub(variable, tf.mul(update, this.learningRate)))
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay, decay: this.decay }
  }
}

tf.serialization.registerClass(AdamW)
