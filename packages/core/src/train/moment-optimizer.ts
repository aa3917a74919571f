import * as tf from '@tensorflow/tfjs-core'

/** A tensor with its variable's name (what `tf.Optimizer` passes around). */
export type NamedTensor = { name: string; tensor: tf.Tensor }

/** First and second moment of one variable. */
export interface Moments {
  m: tf.Variable
  v: tf.Variable
}

/**
 * What Adam-family optimisers share: a step counter, first and second moments per variable
 * (created on first use), the per-variable loop, and saving / restoring that state through
 * `getWeights` / `setWeights` (`step`, then `<variable>/m` and `<variable>/v`).
 */
export abstract class MomentOptimizer extends tf.Optimizer {
  /** Updates applied so far. */
  step = 0
  private readonly moments = new Map<string, Moments>()

  /** Updates one variable in place; runs inside a `tidy`. `step` is already the new count. */
  protected abstract updateVariable(variable: tf.Variable, grad: tf.Tensor, moments: Moments): void

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
