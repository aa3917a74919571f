import * as tf from '@tensorflow/tfjs-core'
import { expect, it } from 'vitest'
import { describeShared } from '../../../../test/shared'
import { tinyGolden, useTinyModel } from '../testing/tiny'
import { dialogptLoss, dialogptPerplexity } from './objective'

describeShared("DialoGPT's objective on aligned labels, against the gpt2-tiny reference", ['fixtures', 'gpt2-tiny', 'golden.json'], () => {
  const tiny = useTinyModel('cpu')

  it('equals the reference mean loss when the targets are the next tokens, and ignores -1 labels', () => {
    const g = tinyGolden()
    const start = tf.memory().numTensors
    const loss = dialogptLoss(tiny(), g.batch.input_ids, g.batch.targets)
    expect(Math.abs(loss.dataSync()[0]! - g.forward.loss_mean)).toBeLessThan(1e-5)
    loss.dispose()
    // Ignoring positions: the mean over the remaining reference per-position losses.
    const labels = g.batch.targets.map((r: number[]) => r.map((y: number, t: number) => (t % 3 === 0 ? -1 : y)))
    const kept = (g.forward.loss_per_position as number[][]).flatMap((r) => r.filter((_, t) => t % 3 !== 0))
    const partial = dialogptLoss(tiny(), g.batch.input_ids, labels)
    expect(Math.abs(partial.dataSync()[0]! - kept.reduce((a, b) => a + b, 0) / kept.length)).toBeLessThan(1e-5)
    partial.dispose()
    expect(tf.memory().numTensors).toBe(start)
  })

  it('reports perplexity as exp of the mean per-example token mean', async () => {
    const g = tinyGolden()
    const perRow = (g.forward.loss_per_position as number[][]).map((r) => r.reduce((a, b) => a + b, 0) / r.length)
    const expected = Math.exp(perRow.reduce((a, b) => a + b, 0) / perRow.length)
    const ppl = await dialogptPerplexity(tiny(), g.batch.input_ids, g.batch.targets)
    expect(Math.abs(ppl - expected) / expected).toBeLessThan(1e-5)
  })

  it('rejects a batch in which every label is ignored instead of returning NaN', async () => {
    const g = tinyGolden()
    const none = g.batch.targets.map((r: number[]) => r.map(() => -1))
    await expect(dialogptPerplexity(tiny(), g.batch.input_ids, none)).rejects.toThrow(/no example has a labelled token/)
  })
})
