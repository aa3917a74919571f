import '@tensorflow/tfjs-backend-cpu'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { generate } from './generate'
import { randomTable, ToyLM } from './testing/toy-lm'

beforeAll(() => tf.setBackend('cpu'))

/** Every continuation of `length` tokens, with its summed log-probability under the bigram table. */
function allContinuations(lm: ToyLM, last: number, length: number): { ids: number[]; logp: number }[] {
  if (length === 0) return [{ ids: [], logp: 0 }]
  return lm.logProbs(last).flatMap((lp, t) => allContinuations(lm, t, length - 1).map((c) => ({ ids: [t, ...c.ids], logp: lp + c.logp })))
}

describe('beam search', () => {
  it('with as many beams as continuations, finds the exact best sequence of the length limit', async () => {
    const lm = new ToyLM(randomTable(4, 7))
    // No eos among the ids, so every hypothesis runs to the 3-token limit; 4³ = 64 candidates, 64 beams.
    const [out] = await generate(lm, [2], { numBeams: 64, maxNewTokens: 3, eosTokenId: 99, numReturnSequences: 3, earlyStopping: 'never' })
    const exhaustive = allContinuations(lm, 2, 3).sort((a, b) => b.logp - a.logp)
    expect(out!.map((s) => s.ids)).toEqual(exhaustive.slice(0, 3).map((c) => c.ids))
    // Hugging Face's sequence score: the summed log-probability over the generated length (length penalty 1).
    expect(out![0]!.score).toBeCloseTo(exhaustive[0]!.logp / 3, 5)
    expect(lm.liveCaches).toBe(0)
  })

  it('reads the prompt once and then steps every beam together, reordering the cache', async () => {
    const lm = new ToyLM(randomTable(5, 8))
    await generate(lm, [1, 2, 3], { numBeams: 3, maxNewTokens: 4, eosTokenId: 99 })
    expect(lm.stepRows).toEqual([1, 3, 3, 3])
    expect(lm.liveCaches).toBe(0)
  })

  it('returns finished hypotheses ending in eos, scored with the length penalty', async () => {
    const table = randomTable(5, 9)
    table[3]![4] = 10 // after 3, eos (4) is near certain
    const lm = new ToyLM(table)
    const [out] = await generate(lm, [3], { numBeams: 2, maxNewTokens: 5, eosTokenId: 4, lengthPenalty: 2 })
    expect(out![0]!.ids).toEqual([4])
    expect(out![0]!.finishedBy).toBe('eos')
    expect(out![0]!.score).toBeCloseTo(lm.logProbs(3)[4]! / 1 ** 2, 5)
  })
})
