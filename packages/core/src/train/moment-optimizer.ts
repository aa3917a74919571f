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
  /**
   * Keep the moments in JavaScript memory and apply the update there, instead of as tensors on the
   * backend. On wasm this takes two parameter-sized copies out of the 4 GB heap, which is what lets
   * a 124M model fine-tune there. Default false.
   */
  stateOnHost?: boolean
}

/** One variable's moments as plain arrays (for checkpoints). */
export interface MomentArrays {
  shape: number[]
  m: Float32Array
  v: Float32Array
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
  /** Whether the moments live in JavaScript memory (see {@link MomentOptimizerOptions.stateOnHost}). */
  readonly stateOnHost: boolean
  private readonly moments = new Map<string, Moments>()
  private readonly hostMoments = new Map<string, MomentArrays>()

  constructor(options: MomentOptimizerOptions, defaultEpsilon: number) {
    super()
    this.learningRate = options.learningRate
    this.beta1 = options.beta1 ?? 0.9
    this.beta2 = options.beta2 ?? 0.999
    this.epsilon = options.epsilon ?? defaultEpsilon
    this.stateOnHost = options.stateOnHost ?? false
  }

  /** Host path: the gradient the moments see (a copy the method may modify). */
  protected prepareGradientHost(grad: Float32Array): Float32Array {
    return grad
  }

  /** Host path: factors on m and v inside the direction `(m·a) / (√(v·b) + ε)` at the current step. */
  protected hostScales(): [number, number] {
    return [1, 1]
  }

  private updateVariableOnHost(name: string, variable: tf.Variable, grad: tf.Tensor): void {
    let state = this.hostMoments.get(name)
    if (!state) {
      state = { shape: variable.shape.slice(), m: new Float32Array(variable.size), v: new Float32Array(variable.size) }
      this.hostMoments.set(name, state)
    }
    const g = this.prepareGradientHost(Float32Array.from(grad.dataSync() as Float32Array))
    const p = Float32Array.from(variable.dataSync() as Float32Array)
    const { m, v } = state
    const [a, b] = this.hostScales()
    const { beta1, beta2, epsilon, learningRate: lr } = this
    const wd = this.decayFor(variable)
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]!
      const mi = (m[i] = beta1 * m[i]! + (1 - beta1) * gi)
      const vi = (v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi)
      p[i] = p[i]! - lr * ((mi * a) / (Math.sqrt(vi * b) + epsilon) + wd * p[i]!)
    }
    tf.tidy(() => variable.assign(tf.tensor(p, variable.shape, 'float32')))
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
      if (this.stateOnHost) {
        this.updateVariableOnHost(name, variable, grad)
        continue
      }
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
    this.hostMoments.clear()
  }

  /** Every variable's moments as arrays (copies from the backend, or the host state itself). */
  async exportMoments(): Promise<Map<string, MomentArrays>> {
    if (this.stateOnHost) return new Map(this.hostMoments)
    const out = new Map<string, MomentArrays>()
    for (const [name, { m, v }] of this.moments) out.set(name, { shape: m.shape.slice(), m: (await m.data()) as Float32Array, v: (await v.data()) as Float32Array })
    return out
  }

  /** Replaces the state with `moments` (by variable name) and the step count. */
  importMoments(moments: Map<string, MomentArrays>, step: number): void {
    this.dispose()
    this.step = step
    for (const [name, state] of moments) {
      if (this.stateOnHost) this.hostMoments.set(name, { shape: state.shape.slice(), m: Float32Array.from(state.m), v: Float32Array.from(state.v) })
      else this.moments.set(name, tf.tidy(() => ({ m: tf.variable(tf.tensor(state.m, state.shape, 'float32'), false), v: tf.variable(tf.tensor(state.v, state.shape, 'float32'), false) })))
    }
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = [{ name: 'step', tensor: tf.scalar(this.step, 'int32') }]
    for (const [name, { m, v }] of this.moments) out.push({ name: `${name}/m`, tensor: m }, { name: `${name}/v`, tensor: v })
    for (const [name, { shape, m, v }] of this.hostMoments) out.push({ name: `${name}/m`, tensor: tf.tensor(m, shape, 'float32') }, { name: `${name}/v`, tensor: tf.tensor(v, shape, 'float32') })
    return out
  }

  override async setWeights(weights: NamedTensor[]): Promise<void> {
    const moments = new Map<string, MomentArrays>()
    let step = this.step
    for (const { name, tensor } of weights) {
      if (name === 'step') {
        step = (await tensor.data())[0]!
        continue
      }
      const cut = name.lastIndexOf('/')
      const [variable, which] = [name.slice(0, cut), name.slice(cut + 1)]
      if (which !== 'm' && which !== 'v') throw new Error(`${this.getClassName()}.setWeights: unexpected state tensor '${name}' (want 'step', '<variable>/m' or '<variable>/v')`)
      const state = moments.get(variable) ?? { shape: tensor.shape.slice(), m: new Float32Array(tensor.size), v: new Float32Array(tensor.size) }
      state[which] = (await tensor.data()) as Float32Array // a copy: the caller may dispose its tensor
      moments.set(variable, state)
    }
    this.importMoments(moments, step)
  }

  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config as never)
  }
}
