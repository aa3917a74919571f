import * as tf from '@tensorflow/tfjs-core'

/** A tensor with its variable's name (what `tf.Optimizer` passes around). */
export type NamedTensor = { name: string; tensor: tf.Tensor }

/** First and second moment of one variable. */
interface Moments {
  m: tf.Variable
  v: tf.Variable
}

/** The hyper-parameters every Adam-family optimiser here takes. */
export interface MomentOptimizerOptions {
  learningRate: number
  /** Default 0.9. */
  beta1?: number
  /** Default 0.999. */
  beta2?: number
  /** Default: the subclass's (1e-8 for AdamW, 1e-6 for OriginalAdam). */
  epsilon?: number
}

/**
 * What Adam-family optimisers share: a step counter, first and second moments per variable
 * (created on first use), the update `m = β1·m + (1-β1)·g`, `v = β2·v + (1-β2)·g²`,
 * `p -= lr · (direction(m, v) + wd · p)`, and saving / restoring that state through
 * `getWeights` / `setWeights` (`step`, then `<variable>/m` and `<variable>/v`). Subclasses say
 * how the gradient is prepared, the direction, and which tensors decay.
 */
export abstract class MomentOptimizer extends tf.Optimizer {
  learningRate: number
  readonly beta1: number
  readonly beta2: number
  readonly epsilon: number
  /** Updates applied so far. */
  step = 0
  private readonly moments = new Map<string, Moments>()

  constructor(options: MomentOptimizerOptions, defaultEpsilon: number) {
    super()
    this.learningRate = options.learningRate
    this.beta1 = options.beta1 ?? 0.9
    this.beta2 = options.beta2 ?? 0.999
    this.epsilon = options.epsilon ?? defaultEpsilon
  }

  /** The gradient the moments see (clipped, for example); by default the gradient as given. Runs inside a `tidy`. */
  protected prepareGradient(grad: tf.Tensor): tf.Tensor {
    return grad
  }

  /** The step direction from the updated moments, before weight decay. `step` is already the new count. */
  protected abstract direction(m: tf.Tensor, v: tf.Tensor): tf.Tensor

  /** The decoupled weight decay for this variable; 0 for none. */
  protected abstract decayFor(variable: tf.Variable): number

  private updateVariable(variable: tf.Variable, grad: tf.Tensor, { m, v }: Moments): void {
    const g = this.prepareGradient(grad)
    const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1))
    const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2))
    m.assign(mNew)
    v.assign(vNew)
    let update = this.direction(mNew, vNew)
    const wd = this.decayFor(variable)
    if (wd !== 0) update = tf.add(update, tf.mul(variable, wd))
    variable.assign(tf.sub(variable, tf.mul(update, this.learningRate)))
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }))
    this.step++
    for (const { name, tensor: grad } of list) {
      const variable = tf.engine().registeredVariables[name]
      if (!variable) throw new Error(`${this.getClassName()}: no variable named '${name}'`)
      let state = this.moments.get(name)
      if (!state) {
        state = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.zerosLike(variable), false) }))
        this.moments.set(name, state)
      }
      const moments = state
      tf.tidy(() => this.updateVariable(variable, grad, moments))
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
      const cut = name.lastIndexOf('/')
      const [variable, which] = [name.slice(0, cut), name.slice(cut + 1)]
      if (which !== 'm' && which !== 'v') throw new Error(`${this.getClassName()}.setWeights: unexpected state tensor '${name}' (want 'step', '<variable>/m' or '<variable>/v')`)
      const state = this.moments.get(variable) ?? ({} as Moments)
      state[which] = tf.variable(tensor, false) // shares the data; the caller may dispose its tensor
      this.moments.set(variable, state)
    }
  }

  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config as never)
  }
}
