import * as tf from '@tensorflow/tfjs-core'
import { adamStepArrays, adamStepTensors, type AdamRule } from './adam-rule'

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
  /** Decoupled weight decay. Default: the subclass's (0 for AdamW, 0.01 for OriginalAdam). */
  weightDecay?: number
  /**
   * The gradient norm limit: over all gradients together for AdamW (PyTorch's `clip_grad_norm_`),
   * per tensor for OriginalAdam. `Infinity` turns clipping off. Default: the subclass's (Infinity
   * for AdamW, 1 for OriginalAdam).
   */
  maxGradNorm?: number
}

/** The defaults a subclass gives the shared options. */
export interface MomentOptimizerDefaults {
  epsilon: number
  weightDecay: number
  maxGradNorm: number
}

/** One variable's moments as plain arrays (for checkpoints). */
export interface MomentArrays {
  shape: number[]
  m: Float32Array
  v: Float32Array
}

/**
 * An Adam-family optimiser: one {@link AdamRule} (see `adam-rule.ts`), a step counter, and first
 * and second moments per variable (created on first use), kept either as backend tensors or, with
 * `stateOnHost`, in JavaScript memory — the same formula on either. Saving and restoring that state
 * goes through `getWeights` / `setWeights` (`step`, then `<variable>/m` and `<variable>/v`).
 * Subclasses choose the rule, the weight decay of each tensor, and gradient preparation over all
 * tensors (AdamW's global-norm clipping).
 */
export abstract class MomentOptimizer extends tf.Optimizer {
  learningRate: number
  readonly beta1: number
  readonly beta2: number
  readonly epsilon: number
  readonly weightDecay: number
  readonly maxGradNorm: number
  /** Updates applied so far. */
  step = 0
  /** Whether the moments live in JavaScript memory (see {@link MomentOptimizerOptions.stateOnHost}). */
  readonly stateOnHost: boolean
  private readonly moments = new Map<string, Moments>()
  private readonly hostMoments = new Map<string, MomentArrays>()

  constructor(options: MomentOptimizerOptions, defaults: MomentOptimizerDefaults) {
    super()
    this.learningRate = options.learningRate
    this.beta1 = options.beta1 ?? 0.9
    this.beta2 = options.beta2 ?? 0.999
    this.epsilon = options.epsilon ?? defaults.epsilon
    this.stateOnHost = options.stateOnHost ?? false
    this.weightDecay = options.weightDecay ?? defaults.weightDecay
    this.maxGradNorm = options.maxGradNorm ?? defaults.maxGradNorm
    const name = (this.constructor as { className?: string }).className ?? 'optimizer'
    if (!(this.maxGradNorm > 0)) throw new RangeError(`${name}: maxGradNorm must be positive, got ${this.maxGradNorm}`)
  }

  /** The hyper-parameters, for `tf.serialization`. */
  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay, maxGradNorm: this.maxGradNorm }
  }

  /** The update rule. */
  protected abstract rule(): AdamRule

  /** The decoupled weight decay for this variable; 0 for none. */
  protected abstract decayFor(variable: tf.Variable): number

  /** A factor for every gradient of this step, computed over all of them (AdamW: its global-norm clip). Default 1. */
  protected gradientScale(_grads: readonly NamedTensor[]): number {
    return 1
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }))
    const scale = this.gradientScale(list)
    const rule = this.rule()
    this.step++
    for (const { name, tensor: grad } of list) {
      const variable = tf.engine().registeredVariables[name]
      if (!variable) throw new Error(`${this.getClassName()}: no variable named '${name}'`)
      const wd = this.decayFor(variable)
      if (this.stateOnHost) {
        let state = this.hostMoments.get(name)
        if (!state) this.hostMoments.set(name, (state = { shape: variable.shape.slice(), m: new Float32Array(variable.size), v: new Float32Array(variable.size) }))
        const p = Float32Array.from(variable.dataSync() as Float32Array)
        adamStepArrays(rule, this.step, this.learningRate, wd, p, Float32Array.from(grad.dataSync() as Float32Array), state.m, state.v, scale)
        tf.tidy(() => variable.assign(tf.tensor(p, variable.shape, 'float32')))
        continue
      }
      let state = this.moments.get(name)
      if (!state) {
        state = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(variable), false), v: tf.variable(tf.zerosLike(variable), false) }))
        this.moments.set(name, state)
      }
      const { m, v } = state
      tf.tidy(() => {
        const next = adamStepTensors(rule, this.step, this.learningRate, wd, variable, grad, m, v, scale)
        m.assign(next.m)
        v.assign(next.v)
        variable.assign(next.p)
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
