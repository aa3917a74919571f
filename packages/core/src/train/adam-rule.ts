import * as tf from '@tensorflow/tfjs-core'

/**
 * The one Adam update every optimiser here applies, described as data:
 * `m = β1·m + (1-β1)·g`, `v = β2·v + (1-β2)·g²`,
 * `p -= lr · (m̂ / (√v̂ + ε) + wd · p)` with `m̂ = m / c1`, `v̂ = v / c2` — `c1`, `c2` the bias
 * corrections `1 - β^t` when `biasCorrection`, else 1 — and each tensor's gradient clipped to norm
 * `clipPerTensor` first when it is finite. AdamW and the original's Adam are two settings of it.
 */
export interface AdamRule {
  beta1: number
  beta2: number
  epsilon: number
  biasCorrection: boolean
  /** Per-tensor gradient clipping (the original's fp32 optimiser); Infinity for none. */
  clipPerTensor: number
}

/** `[c1, c2]`: what m and v are divided by at step `t` (1-based). */
export function biasCorrections(rule: AdamRule, t: number): [number, number] {
  return rule.biasCorrection ? [1 - Math.pow(rule.beta1, t), 1 - Math.pow(rule.beta2, t)] : [1, 1]
}

/** The clipping factor for a gradient of this L2 norm (PyTorch's `clip_grad_norm_` rule: `max / (norm + 1e-6)` when below 1). */
export function clipFactor(maxNorm: number, norm: number): number {
  if (!Number.isFinite(maxNorm)) return 1
  const coef = maxNorm / (norm + 1e-6)
  return coef < 1 ? coef : 1
}

/**
 * The rule on tensors (moments as backend variables), the gradient first multiplied by `gradScale`
 * (a global-norm clip computed over all gradients). Returns the new moments and parameter; the
 * caller assigns them. Run inside a `tf.tidy`.
 */
export function adamStepTensors(rule: AdamRule, t: number, lr: number, wd: number, p: tf.Variable, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor, gradScale = 1): { m: tf.Tensor; v: tf.Tensor; p: tf.Tensor } {
  let g = gradScale === 1 ? grad : tf.mul(grad, gradScale)
  if (Number.isFinite(rule.clipPerTensor)) {
    const coef = clipFactor(rule.clipPerTensor, Math.sqrt(tf.sum(tf.square(g)).dataSync()[0]!))
    if (coef < 1) g = tf.mul(g, coef)
  }
  const [c1, c2] = biasCorrections(rule, t)
  const mNew = tf.add(tf.mul(m, rule.beta1), tf.mul(g, 1 - rule.beta1))
  const vNew = tf.add(tf.mul(v, rule.beta2), tf.mul(tf.square(g), 1 - rule.beta2))
  let update = tf.div(tf.div(mNew, c1), tf.add(tf.sqrt(tf.div(vNew, c2)), rule.epsilon))
  if (wd !== 0) update = tf.add(update, tf.mul(p, wd))
  return { m: mNew, v: vNew, p: tf.sub(p, tf.mul(update, lr)) }
}

/**
 * The same rule on plain arrays, in place (moments in JavaScript memory, off the backend's heap):
 * element for element the formula of {@link adamStepTensors}.
 */
export function adamStepArrays(rule: AdamRule, t: number, lr: number, wd: number, p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, gradScale = 1): void {
  if (gradScale !== 1) for (let i = 0; i < g.length; i++) g[i] = g[i]! * gradScale
  let sum = 0
  if (Number.isFinite(rule.clipPerTensor)) for (let i = 0; i < g.length; i++) sum += g[i]! * g[i]!
  const coef = clipFactor(rule.clipPerTensor, Math.sqrt(sum))
  const [c1, c2] = biasCorrections(rule, t)
  const { beta1, beta2, epsilon } = rule
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! * coef
    const mi = (m[i] = beta1 * m[i]! + (1 - beta1) * gi)
    const vi = (v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi)
    p[i] = p[i]! - lr * (mi / c1 / (Math.sqrt(vi / c2) + epsilon) + wd * p[i]!)
  }
}
