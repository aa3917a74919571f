import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, expect, it } from 'vitest'
import { useBackend } from '../testing/tiny'
import { gpt2Config } from './config'
import { fusedGeluNew, fusedInference, fusedLayerNorm } from './fused-kernels'
import { disposeCache, GPT2 } from './gpt2'

beforeAll(() => useBackend('wasm'))

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0)

it('LayerNorm and GELU as single kernels equal the tfjs compositions, and leak nothing', async () => {
  const before = tf.memory().numTensors
  const x = tf.tidy(() => tf.mul(tf.randomNormal([5, 48], 0, 1, 'float32', 3), 4))
  const gain = tf.randomNormal([48], 1, 0.1, 'float32', 4)
  const bias = tf.randomNormal([48], 0, 0.1, 'float32', 5)
  const fusedLn = fusedLayerNorm(x, gain, bias, 1e-5)
  const referenceLn = tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true)
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gain), bias)
  })
  expect(maxDiff(await fusedLn.data(), await referenceLn.data())).toBeLessThan(2e-5)
  const fusedGelu = fusedGeluNew(x)
  const referenceGelu = tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI))), 1)))
  expect(maxDiff(await fusedGelu.data(), await referenceGelu.data())).toBeLessThan(2e-5)
  tf.dispose([x, gain, bias, fusedLn, referenceLn, fusedGelu, referenceGelu])
  expect(tf.memory().numTensors).toBe(before)
})

it('apply only on wasm outside gradient recording', async () => {
  expect(fusedInference()).toBe(true)
  const x = tf.variable(tf.ones([2, 2]))
  let inside = true
  const { value, grads } = tf.variableGrads(() => {
    inside = fusedInference()
    return tf.sum(x)
  })
  tf.dispose([value, ...Object.values(grads)])
  expect(inside).toBe(false)
  x.dispose()
  await useBackend('cpu')
  expect(fusedInference()).toBe(false)
  await useBackend('wasm')
})

it('a decode step gives the same logits with the fused kernels on and off', () => {
  const model = GPT2.random(gpt2Config('micro'), 9)
  const logits = (fused: boolean) => {
    model.fusedKernels = fused
    const first = model.forward([[5, 17, 300, 42]])
    const step = model.forward([[7]], { cache: first.cache, lastOnly: true })
    const out = step.logits.dataSync().slice()
    tf.dispose([first.logits, step.logits])
    disposeCache(first.cache)
    disposeCache(step.cache)
    return out
  }
  expect(maxDiff(logits(true), logits(false))).toBeLessThan(1e-4)
  model.dispose()
})

it('a long prompt gives the same logits with attention per head (fast path on) and batched (off)', () => {
  const model = GPT2.random(gpt2Config({ ...gpt2Config('micro'), n_positions: 160 }), 11)
  const prompt = [Array.from({ length: 120 }, (_, i) => (i * 37) % 512)]
  const logits = (fast: boolean) => {
    model.fusedKernels = fast
    const out = model.forward(prompt)
    const data = out.logits.dataSync().slice()
    out.logits.dispose()
    disposeCache(out.cache)
    return data
  }
  const fast = logits(true) // also builds the head cache (one tensor kept)
  const before = tf.memory().numTensors
  expect(maxDiff(logits(true), logits(false))).toBeLessThan(1e-4)
  expect(maxDiff(fast, logits(false))).toBeLessThan(1e-4)
  expect(tf.memory().numTensors).toBe(before)
  model.dispose()
})
