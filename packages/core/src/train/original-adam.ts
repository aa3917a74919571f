import * as tf from '@tensorflow/tfjs-core'
import type { AdamRule } from './adam-rule'
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

  protected rule(): AdamRule {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, biasCorrection: false, clipPerTensor: this.maxGradNorm }
  }

  protected decayFor(): number {
    return this.weightDecay
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay, maxGradNorm: this.maxGradNorm }
  }
}

tf.serialization.registerClass(OriginalAdam)
