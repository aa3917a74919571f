import * as tf from '@tensorflow/tfjs-core'
import { afterEach, beforeAll, expect, it } from 'vitest'
import { describeShared } from '../../../../test/shared'
import type { GPT2 } from '../model/gpt2'
import { beyondTolerance, selectGolden } from '../testing/golden-compare'
import { loadTiny, tinyGolden, useBackend } from '../testing/tiny'
import { AdamW } from './adamw'
import { constantSchedule, linearSchedule, noamSchedule } from './schedules'

it("reproduces DialoGPT's Noam values (reference notes 3.2)", () => {
  const rel = (a: number, b: number) => Math.abs(a - b) / b
  expect(rel(noamSchedule(15999, { learningRate: 1e-5, warmupSteps: 16000, nEmbd: 768 }), 2.853e-5)).toBeLessThan(5e-4)
  expect(rel(noamSchedule(15999, { learningRate: 1e-5, warmupSteps: 16000, nEmbd: 1024 }), 2.471e-5)).toBeLessThan(5e-4)
  expect(rel(noamSchedule(15999, { learningRate: 1e-5, warmupSteps: 16000, nEmbd: 1280 }), 2.21e-5)).toBeLessThan(5e-4)
  expect(rel(noamSchedule(10000, { learningRate: 1e-5, warmupSteps: 16000, nEmbd: 1024 }), 1.544e-5)).toBeLessThan(5e-4)
  expect(rel(noamSchedule(100000, { learningRate: 1e-5, warmupSteps: 16000, nEmbd: 1024 }), 9.88e-6)).toBeLessThan(5e-4)
  const demo = { learningRate: 1e-5, warmupSteps: 4000, nEmbd: 768 }
  expect(rel(noamSchedule(0, demo), 1.43e-8)).toBeLessThan(5e-3)
  expect(rel(noamSchedule(3999, demo), 5.705e-5)).toBeLessThan(5e-4)
  expect(rel(noamSchedule(10000, demo), 3.61e-5)).toBeLessThan(5e-3)
  expect(linearSchedule(0, { learningRate: 1, warmupSteps: 4, totalSteps: 10 })).toBe(0.25)
  expect(linearSchedule(10, { learningRate: 1, warmupSteps: 4, totalSteps: 10 })).toBe(0)
  expect(constantSchedule(123, { learningRate: 3 })).toBe(3)
})

for (const wd of [0, 0.1])
  describeShared(`AdamW (weight decay ${wd}) against the gpt2-tiny reference step`, ['fixtures', 'gpt2-tiny', 'golden.json'], () => {
    let model: GPT2
    beforeAll(() => useBackend('cpu'))
    afterEach(() => model?.dispose())

    it.each([
      ['as tensors', false],
      ['in host memory (stateOnHost)', true],
    ])('with the moments %s, matches the parameters after one step within the stated per-element tolerance, leaking nothing', (_, stateOnHost) => {
      model = loadTiny()
      const golden = tinyGolden()
      const h = golden.adamw.hyper
      const tokens = golden.batch.tokens
      const params = model.parameters()
      const opt = new AdamW({ learningRate: h.lr, beta1: h.beta1, beta2: h.beta2, epsilon: h.eps, weightDecay: wd, decay: 'all', stateOnHost })
      const before = tf.memory().numTensors
      const { value, grads } = tf.variableGrads(() => model.loss(tokens, tokens), [...params.values()])
      value.dispose()
      opt.applyGradients(grads)
      for (const g of Object.values(grads)) g.dispose()
      // Only the optimizer's moments (two per parameter, unless they live on the host) remain.
      expect(tf.memory().numTensors).toBe(before + (stateOnHost ? 0 : 2 * params.size))
      const expected = golden.adamw.params_after_step[`wd_${wd.toFixed(1)}`]
      for (const [name, spec] of Object.entries<{ select: number[][] | null; values: unknown; atol: unknown }>(expected)) {
        const arr = params.get(name)!.arraySync()
        const bad = beyondTolerance(selectGolden(arr, spec.select), spec.values, spec.atol)
        expect(bad, name).toEqual([])
      }
      opt.dispose()
      expect(tf.memory().numTensors).toBe(before)
    })
  })
