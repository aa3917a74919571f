import * as tf from '@tensorflow/tfjs-core'

/** A tensor with its variable's name (what `tf.Optimizer` passes around). */
type NamedTensor = { name: string; tensor: tf.Tensor }

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
export class AdamW extends tf.Optimizer {
  static get className(): string {
    return 'AdamW'
  }

  learningRate: number
  readonly beta1: number
  readonly beta2: number
  readonly epsilon: number
  readonly weightDecay: number
  readonly decay: DecayScope
  /** Updates applied so far. */
  step = 0
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>()

  constructor(options: AdamWOptions) {
    super()
    this.learningRate = options.learningRate
    this.beta1 = options.beta1 ?? 0.9
    this.beta2 = options.beta2 ?? 0.999
    this.epsilon = options.epsilon ?? 1e-8
    this.weightDecay = options.weightDecay ?? 0
    this.decay = options.decay ?? 'all'
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }))
    this.step++
    const t = this.step
    const lr = this.learningRate
    const c1 = 1 - Math.pow(this.beta1, t)
    const c2 = 1 - Math.pow(this.beta2, t)
    for (const { name, tensor: grad } of list) {
      const variable = tf.engine().registeredVariables[name]
      if (!variable) throw new Error(`AdamW: no variable named '${name}'`)
      let state = this.moments.get(name)
      if (!state) {
        state = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.zerosLike(variable), false) }))
        this.moments.set(name, state)
      }
      const wd = this.weightDecay > 0 && (this.decay === 'all' || variable.rank >= 2) ? this.weightDecay : 0
      const { m, v } = state
      tf.tidy(() => {
        const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(grad, 1 - this.beta1))
        const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2))
        m.assign(mNew)
        v.assign(vNew)
        let update = tf.div(tf.div(mNew, c1), tf.add(tf.sqrt(tf.div(vNew, c2)), this.epsilon))
        if (wd !== 0) update = tf.add(update, tf.mul(variable, wd))
        variable.assign(tf.sub(variable, tf.mul(update, lr)))
      })
    }
    this.incrementIterations()
  }

  override dispose(): void {
    for (const { m, v } of this.moments.values()) {
      m.dispose()
      v.dispose()
    }
    this.moments.clear()
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = [{ name: 'step', tensor: tf.scalar(this.step, 'int32') }]
    for (const [name, { m, v }] of this.moments) out.push({ name: `${name}/m`, tensor: m }, { name: `${name}/v`, tensor: v })
    return out
  }

  override async setWeights(weights: NamedTensor[]): Promise<void> {
    this.dispose()
    for (const { name, tensor } of weights) {
      if (name === 'step') {
        this.step = (await tensor.data())[0]!
        continue
      }
      const [variable, which] = [name.slice(0, name.lastIndexOf('/')), name.slice(name.lastIndexOf('/') + 1)]
      const state = this.moments.get(variable) ?? ({} as { m: tf.Variable; v: tf.Variable })
      state[which as 'm' | 'v'] = tf.variable(tensor.clone(), false)
      this.moments.set(variable, state)
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay, decay: this.decay }
  }

  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config as never)
  }
}

tf.serialization.registerClass(AdamW)
