import * as tf from '@tensorflow/tfjs-core'
import { expect, it } from 'vitest'
import { describeShared } from '../../../../test/shared'
import { beyondTolerance, gradientByGoldenName, selectGolden } from '../testing/golden-compare'
import { tinyGolden, useTinyModel } from '../testing/tiny'
import { accumulateGradients, NonFiniteLossError } from './accumulate'

describeShared('gradient accumulation over micro-batches, against the gpt2-tiny reference gradients', ['fixtures', 'gpt2-tiny', 'golden.json'], () => {
  const tiny = useTinyModel('cpu')

  // The reference batch has two rows of equal length, so the mean of the two one-row losses is the
  // batch loss: 'mean' over the two rows reproduces the reference gradients, 'sum' doubles them.
  for (const [reduction, factor] of [['mean', 1], ['sum', 2]] as const)
    it(`'${reduction}' over the batch split into single rows gives ${factor}× the reference gradients, leaking nothing`, () => {
      const g = tinyGolden()
      const rows = [0, 1].map((r) => ({ inputIds: [g.batch.input_ids[r]], labels: [g.batch.targets[r]] }))
      const before = tf.memory().numTensors
      const { grads, losses } = accumulateGradients(tiny(), rows, reduction)
      expect(losses).toHaveLength(2)
      expect(Math.abs((losses[0]! + losses[1]!) / 2 - g.forward.loss_mean)).toBeLessThan(1e-5)
      const gradOf = gradientByGoldenName(tiny(), grads)
      let checked = 0
      for (const [name, spec] of Object.entries<{ select: number[][] | null; values: unknown; atol: unknown }>(g.grads.params)) {
        // |ours / factor - reference| <= atol, i.e. |ours - factor · reference| <= factor · atol.
        const scaled = tf.tidy(() => tf.div(gradOf(name), factor).arraySync())
        expect(beyondTolerance(selectGolden(scaled, spec.select), spec.values, spec.atol), name).toEqual([])
        checked++
      }
      expect(checked).toBeGreaterThan(0)
      Object.values(grads).forEach((t) => t.dispose())
      expect(tf.memory().numTensors).toBe(before)
    })

  it('throws NonFiniteLossError for a micro-batch with no labelled token, freeing what it had computed', () => {
    const g = tinyGolden()
    const before = tf.memory().numTensors
    const good = { inputIds: g.batch.input_ids, labels: g.batch.targets }
    const empty = { inputIds: g.batch.input_ids, labels: g.batch.targets.map((r: number[]) => r.map(() => -1)) }
    expect(() => accumulateGradients(tiny(), [good, empty])).toThrow(NonFiniteLossError)
    expect(() => accumulateGradients(tiny(), [good, empty])).toThrow(/micro-batch 1 is NaN/)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('refuses an empty list and an unknown reduction', () => {
    expect(() => accumulateGradients(tiny(), [])).toThrow(/no micro-batches/)
    const g = tinyGolden()
    // @ts-expect-error: checking the run-time guard
    expect(() => accumulateGradients(tiny(), [{ inputIds: g.batch.input_ids, labels: g.batch.targets }], 'max')).toThrow(/'sum' or 'mean'/)
  })
})
