import * as tf from '@tensorflow/tfjs-core'
import { clipFactor, type AdamRule } from './adam-rule'
import { globalNorm } from './clip'
import { MomentOptimizer, type MomentOptimizerOptions, type NamedTensor } from './moment-optimizer'

/** Which tensors weight decay applies to: all of them, or only the matrices (2-D and up). */
export type DecayScope = 'all' | 'matrices'

/** `weightDecay` defaults to 0 (plain Adam), `maxGradNorm` to Infinity (no clipping; clips all gradients together when set), `epsilon` to 1e-8. */
export interface AdamWOptions extends MomentOptimizerOptions {
  /** Which tensors the weight decay applies to. Default `'all'`. */
  decay?: DecayScope
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

  readonly decay: DecayScope

  constructor(options: AdamWOptions) {
    super(options, { epsilon: 1e-8, weightDecay: 0, maxGradNorm: Infinity })
    this.decay = options.decay ?? 'all'
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
    return { ...super.getConfig(), decay: this.decay }
  }
}

tf.serialization.registerClass(AdamW)
