import * as tf from '@tensorflow/tfjs-core'
import { clipFactor, type AdamRule } from './adam-rule'
import { globalNorm } from './clip'
import { MomentOptimizer, type MomentOptimizerOptions, type NamedTensor } from './moment-optimizer'

/** Which tensors weight decay applies to: all of them, or only the matrices (2-D and up). */
export type DecayScope = 'all' | 'matrices'

export interface AdamWOptions extends MomentOptimizerOptions {
  /** Decoupled weight decay (0 = plain Adam). Default 0. */
  weightDecay?: number
  /** Default `'all'`. */
  decay?: DecayScope
  /** Clip all gradients together to this global L2 norm before the update (PyTorch's `clip_grad_norm_`). Default Infinity (none). */
  maxGradNorm?: number
}

/**
 * AdamW (Loshchilov & Hutter) as a `tf.Optimizer`: bias-corrected moments and weight decay decoupled
 * from the gradient, applied to the pre-step value — `p -= lr · (m̂ / (√v̂ + ε) + wd · p)`, PyTorch's
 * `AdamW` — optionally after clipping all gradients to a global norm. Works with the gradients
 * `tf.variableGrads` returns:
 *
 * ```ts
 * const opt = new AdamW({ learningRate: 1e-4, weightDecay: 0.01, decay: 'matrices', maxGradNorm: 1 })
 * const { value, grads } = tf.variableGrads(() => dialogptLoss(model, ids, labels), [...model.parameters().values()])
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
  readonly maxGradNorm: number

  constructor(options: AdamWOptions) {
    super(options, 1e-8)
    this.weightDecay = options.weightDecay ?? 0
    this.decay = options.decay ?? 'all'
    this.maxGradNorm = options.maxGradNorm ?? Infinity
    if (!(this.maxGradNorm > 0)) throw new RangeError(`AdamW: maxGradNorm must be positive, got ${this.maxGradNorm}`)
  }

  protected rule(): AdamRule {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, biasCorrection: true, clipPerTensor: Infinity }
  }

  /** The global-norm clip: `maxGradNorm / (norm + 1e-6)` over all gradients together when that is below 1. */
  protected override gradientScale(grads: readonly NamedTensor[]): number {
    if (!Number.isFinite(this.maxGradNorm) || grads.length === 0) return 1
    return clipFactor(this.maxGradNorm, globalNorm(grads.map((g) => g.tensor)))
  }

  protected decayFor(variable: tf.Variable): number {
    return this.weightDecay > 0 && (this.decay === 'all' || variable.rank >= 2) ? this.weightDecay : 0
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay, decay: this.decay, maxGradNorm: this.maxGradNorm }
  }
}

tf.serialization.registerClass(AdamW)
