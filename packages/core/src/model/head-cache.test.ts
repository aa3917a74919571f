import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, expect, it } from 'vitest'
import { useBackend } from '../testing/tiny'
import { gpt2Config } from './config'
import { disposeCache, GPT2 } from './gpt2'

beforeAll(() => useBackend('wasm'))

const ids = [[5, 17, 300, 42, 7]]
function logits(model: GPT2): Float32Array {
  const { logits, cache } = model.forward(ids)
  const out = logits.dataSync() as Float32Array
  logits.dispose()
  disposeCache(cache)
  return out
}
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0)

it('on wasm, the cached transposed head gives the tied head\'s logits, follows a reassigned wte, and is freed by dispose', () => {
  const before = tf.memory().numTensors
  const cached = GPT2.random(gpt2Config('micro'), 3)
  const plain = GPT2.random(gpt2Config('micro'), 3)
  plain.headCache = false
  const params = 2 * cached.parameters().size
  expect(maxDiff(logits(cached), logits(plain))).toBeLessThan(1e-5)
  expect(tf.memory().numTensors).toBe(before + params + 1) // the one cached copy
  // training reassigns wte: the cache must follow
  for (const m of [cached, plain]) tf.tidy(() => m.parameters().get('transformer.wte.weight')!.assign(tf.mul(m.parameters().get('transformer.wte.weight')!, 1.5)))
  expect(maxDiff(logits(cached), logits(plain))).toBeLessThan(1e-5)
  expect(tf.memory().numTensors).toBe(before + params + 1)
  cached.dispose()
  plain.dispose()
  expect(tf.memory().numTensors).toBe(before)
})

it('is not used while gradients are recorded: wte gets the head\'s gradient either way', () => {
  const a = GPT2.random(gpt2Config('micro'), 4)
  const b = GPT2.random(gpt2Config('micro'), 4)
  b.headCache = false
  logits(a) // builds the cache
  const grad = (m: GPT2) => {
    const wte = m.parameters().get('transformer.wte.weight')!
    const { value, grads } = tf.variableGrads(() => m.loss(ids, ids), [wte])
    value.dispose()
    const g = grads[wte.name]!.dataSync() as Float32Array
    grads[wte.name]!.dispose()
    return g
  }
  const ga = grad(a)
  expect(ga.some((x) => x !== 0)).toBe(true)
  expect(maxDiff(ga, grad(b))).toBeLessThan(1e-6)
  a.dispose()
  b.dispose()
})
