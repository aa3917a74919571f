import * as tf from '@tensorflow/tfjs-core'
import type { AdamRule } from './adam-rule'
import { MomentOptimizer, type MomentOptimizerOptions } from './moment-optimizer'

/**
 * The original's defaults: `epsilon` 1e-6; `weightDecay` 0.01, applied to every tensor (biases and
 * LayerNorms too), as the original's fp32 path does; `maxGradNorm` 1.0, a per-tensor limit.
 */
export type OriginalAdamOptions = MomentOptimizerOptions

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

  constructor(options: OriginalAdamOptions) {
    super(options, { epsilon: 1e-6, weightDecay: 0.01, maxGradNorm: 1 })
  }

  protected rule(): AdamRule {
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, biasCorrection: false, clipPerTensor: this.maxGradNorm }
  }

  protected decayFor(): number {
    return this.weightDecay
  }
}

tf.serialization.registerClass(OriginalAdam)
