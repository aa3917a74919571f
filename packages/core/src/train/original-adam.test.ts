import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import { beforeAll, expect, it } from 'vitest'
import { clipByGlobalNorm } from './clip'
import { OriginalAdam } from './original-adam'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

/** The original's update written out in float64, one tensor at a time, from its description. */
function referenceSteps(p0: number[], grads: number[][], o: { lr: number; b1: number; b2: number; eps: number; wd: number; clip: number }): number[] {
  const p = [...p0]
  const m = p.map(() => 0)
  const v = p.map(() => 0)
  for (const g0 of grads) {
    const norm = Math.sqrt(g0.reduce((a, x) => a + x * x, 0))
    const c = o.clip / (norm + 1e-6)
    const g = c < 1 ? g0.map((x) => x * c) : g0
    for (let i = 0; i < p.length; i++) {
      m[i] = o.b1 * m[i]! + (1 - o.b1) * g[i]!
      v[i] = o.b2 * v[i]! + (1 - o.b2) * g[i]! * g[i]!
      p[i] = p[i]! - o.lr * (m[i]! / (Math.sqrt(v[i]!) + o.eps) + o.wd * p[i]!)
    }
  }
  return p
}

it.each([false, true])('follows the original fp32 update (per-tensor clipping, no bias correction, decay on every tensor) over three steps (state on host: %s)', (stateOnHost) => {
  const big = tf.variable(tf.tensor2d([[0.5, -1.2], [2.0, 0.3]]), true, 'oa_big')
  const bias = tf.variable(tf.tensor1d([0.1, -0.4, 0.7]), true, 'oa_bias')
  // Gradients: the matrix's exceed norm 1 (clipped), the bias's stay below (untouched).
  const gBig = [[3, -4, 1, 2], [0.5, 0.5, -2, 6], [-1, 0, 0, 1]]
  const gBias = [[0.1, 0.2, -0.3], [0.05, -0.05, 0.4], [0, 0.2, 0.1]]
  const o = { lr: 1e-2, b1: 0.9, b2: 0.999, eps: 1e-6, wd: 0.01, clip: 1 }
  const opt = new OriginalAdam({ learningRate: o.lr, stateOnHost })
  const before = tf.memory().numTensors
  for (let s = 0; s < 3; s++) {
    const grads = { oa_big: tf.tensor2d(gBig[s]!, [2, 2]), oa_bias: tf.tensor1d(gBias[s]!) }
    opt.applyGradients(grads)
    Object.values(grads).forEach((g) => g.dispose())
  }
  expect(tf.memory().numTensors).toBe(before + (stateOnHost ? 0 : 4)) // two moments for each of the two variables
  const want = { oa_big: referenceSteps([0.5, -1.2, 2.0, 0.3], gBig, o), oa_bias: referenceSteps([0.1, -0.4, 0.7], gBias, o) }
  const got = { oa_big: Array.from(big.dataSync()), oa_bias: Array.from(bias.dataSync()) }
  for (const k of ['oa_big', 'oa_bias'] as const) got[k].forEach((x, i) => expect(Math.abs(x - want[k][i]!), `${k}[${i}]`).toBeLessThan(1e-6))
  opt.dispose()
  big.dispose()
  bias.dispose()
  expect(tf.memory().numTensors).toBe(before - 2)
})

it("moves the first step by (1-β1)/√(1-β2) ≈ 3.16·lr (less ε), where bias-corrected AdamW moves by lr", () => {
  const w = tf.variable(tf.tensor1d([1, -1]), true, 'oa_first')
  const opt = new OriginalAdam({ learningRate: 0.01, weightDecay: 0 })
  const g = { oa_first: tf.tensor1d([0.2, -0.5]) }
  opt.applyGradients(g)
  const moved = Array.from(w.dataSync()).map((x, i) => Math.abs(x - [1, -1][i]!))
  ;[0.2, 0.5].forEach((g0, i) => {
    const expected = (0.01 * 0.1 * g0) / (Math.sqrt(0.001) * g0 + 1e-6)
    expect(Math.abs(moved[i]! - expected)).toBeLessThan(1e-6)
    expect(moved[i]! / 0.01).toBeGreaterThan(3.1)
  })
  g.oa_first.dispose()
  opt.dispose()
  w.dispose()
})

it('clips by the global norm across tensors, and only when the norm exceeds the limit', () => {
  const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor2d([[0, 4]]) }
  const before = tf.memory().numTensors
  const clipped = clipByGlobalNorm(grads, 1)
  expect(clipped.norm).toBeCloseTo(5, 6)
  expect(Array.from(clipped.grads.a!.dataSync())[0]).toBeCloseTo(3 / (5 + 1e-6), 6)
  expect(Array.from(clipped.grads.b!.dataSync())[1]).toBeCloseTo(4 / (5 + 1e-6), 6)
  const kept = clipByGlobalNorm(grads, 10)
  expect(Array.from(kept.grads.b!.dataSync())).toEqual([0, 4])
  expect(tf.memory().numTensors).toBe(before + 4)
  Object.values({ ...clipped.grads }).forEach((g) => g.dispose())
  Object.values({ ...kept.grads }).forEach((g) => g.dispose())
  expect(tf.memory().numTensors).toBe(before)
  expect(() => clipByGlobalNorm(grads, 0)).toThrow(/maxNorm must be a positive number/)
  Object.values(grads).forEach((g) => g.dispose())
})

it('saves its step and moments with getWeights and continues identically after setWeights', async () => {
  const grads = [[0.3, -2], [1, 0.5], [-0.7, 0.2]]
  const run = async (resumeAfter: number | null): Promise<number[]> => {
    const w = tf.tidy(() => tf.variable(tf.tensor1d([0.4, -0.9]), true, 'oa_resume'))
    let opt = new OriginalAdam({ learningRate: 0.05 })
    for (let s = 0; s < grads.length; s++) {
      if (s === resumeAfter) {
        const saved = await opt.getWeights()
        const copies = saved.map(({ name, tensor }) => ({ name, tensor: tensor.clone() }))
        saved.find((x) => x.name === 'step')!.tensor.dispose()
        opt.dispose()
        opt = new OriginalAdam({ learningRate: 0.05 })
        await opt.setWeights(copies)
        copies.forEach((c) => c.tensor.dispose())
        expect(opt.step).toBe(s)
      }
      const g = { oa_resume: tf.tensor1d(grads[s]!) }
      opt.applyGradients(g)
      g.oa_resume.dispose()
    }
    const out = Array.from(w.dataSync())
    opt.dispose()
    w.dispose()
    return out
  }
  const before = tf.memory().numTensors
  const straight = await run(null)
  expect(await run(2)).toEqual(straight)
  expect(tf.memory().numTensors).toBe(before)
  await expect(new OriginalAdam({ learningRate: 1 }).setWeights([{ name: 'x/q', tensor: tf.scalar(0) }])).rejects.toThrow(/unexpected state tensor 'x\/q'/)
})
