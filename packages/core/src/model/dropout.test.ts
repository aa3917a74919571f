import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { accumulateGradients } from '../train/accumulate'
import { dialogptLoss } from '../train/objective'
import { useBackend } from '../testing/tiny'
import { gpt2Config } from './config'
import { GPT2 } from './gpt2'
import { dropout } from './ops'

describe('dropout (training only, seeded)', () => {
  beforeAll(() => useBackend('cpu'))

  it('zeroes elements at the rate and scales the rest by 1 / (1 - rate); the same seed gives the same mask', () => {
    const x = tf.ones([400, 250]) as tf.Tensor2D // 100,000 elements
    const y = dropout(x, { rate: 0.1, seed: 12 })
    const v = y.dataSync()
    let zeros = 0
    for (const e of v) {
      if (e === 0) zeros++
      else expect(e).toBeCloseTo(1 / 0.9, 6)
    }
    // Binomial(100000, 0.1): standard deviation ~0.00095 of the rate; 0.005 is over 5 of them.
    expect(Math.abs(zeros / v.length - 0.1)).toBeLessThan(0.005)
    expect(Array.from(dropout(x, { rate: 0.1, seed: 12 }).dataSync())).toEqual(Array.from(v))
    expect(Array.from(dropout(x, { rate: 0.1, seed: 13 }).dataSync())).not.toEqual(Array.from(v))
    // The mean is kept (inverted dropout).
    expect(Math.abs(Array.from(v).reduce((a, b) => a + b, 0) / v.length - 1)).toBeLessThan(0.01)
    expect(dropout(x, undefined)).toBe(x)
    expect(dropout(x, { rate: 0, seed: 1 })).toBe(x)
    tf.dispose([x, y])
  })

  it('draws the same masks on cpu and wasm (the generator is tfjs-core\'s), so a resumed run matches on either', async () => {
    const masks: number[][] = []
    for (const backend of ['cpu', 'wasm']) {
      await useBackend(backend)
      const x = tf.ones([64, 64])
      const y = dropout(x, { rate: 0.3, seed: 99 })
      masks.push(Array.from(y.dataSync()))
      tf.dispose([x, y])
    }
    expect(masks[1]).toEqual(masks[0])
    await useBackend('cpu')
  })

  it('applies the config\'s rates only when a training step passes a seed: evaluation and generation stay deterministic, and gradients flow through the masks', async () => {
    const model = GPT2.random(gpt2Config('micro'), 3) // embd, attn and resid pdrop 0.1
    const ids = [[5, 9, 2, 7, 1, 3, 8, 4]]
    const labels = [[9, 2, 7, 1, 3, 8, 4, -1]]
    const loss = (seed?: number) => {
      const l = dialogptLoss(model, ids, labels, { dropoutSeed: seed })
      const v = l.dataSync()[0]!
      l.dispose()
      return v
    }
    const before = tf.memory().numTensors
    expect(loss()).toBe(loss())
    expect(loss(1)).toBe(loss(1))
    expect(loss(1)).not.toBe(loss())
    expect(loss(2)).not.toBe(loss(1))
    const { logits, cache } = model.forward(ids, { lastOnly: true })
    const again = model.forward(ids, { lastOnly: true })
    expect(Array.from(again.logits.dataSync())).toEqual(Array.from(logits.dataSync()))
    tf.dispose([logits, again.logits, ...cache.layers.flatMap((l) => [l.key, l.value]), ...again.cache.layers.flatMap((l) => [l.key, l.value])])
    const { grads, losses } = accumulateGradients(model, [{ inputIds: ids, labels }], 'sum', { dropoutSeed: 5 })
    const again5 = accumulateGradients(model, [{ inputIds: ids, labels }], 'sum', { dropoutSeed: 5 })
    expect(losses).toEqual(again5.losses)
    for (const [name, g] of Object.entries(grads)) {
      expect(Array.from(g.dataSync()).every(Number.isFinite), name).toBe(true)
      expect(Array.from(again5.grads[name]!.dataSync()), name).toEqual(Array.from(g.dataSync()))
    }
    tf.dispose([...Object.values(grads), ...Object.values(again5.grads)])
    expect(tf.memory().numTensors).toBe(before)
    // A model whose config has no dropout is not changed by a seed.
    const none = GPT2.random(gpt2Config({ ...gpt2Config('micro'), embd_pdrop: 0, attn_pdrop: 0, resid_pdrop: 0 }), 3)
    const l0 = dialogptLoss(none, ids, labels)
    const l1 = dialogptLoss(none, ids, labels, { dropoutSeed: 1 })
    expect(l1.dataSync()[0]).toBe(l0.dataSync()[0])
    tf.dispose([l0, l1])
    none.dispose()
    model.dispose()
  })
})
