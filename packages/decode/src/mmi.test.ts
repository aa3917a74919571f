import '@tensorflow/tfjs-backend-cpu'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { dialogptBackwardInput } from './config'
import { generate } from './generate'
import { mmiRerank } from './mmi'
import { randomTable, ToyLM } from './testing/toy-lm'

beforeAll(() => tf.setBackend('cpu'))

describe('MMI reranking', () => {
  it('scores hypothesis + eos → source + eos with the backward model and ranks by the lowest mean NLL', async () => {
    const backward = new ToyLM(randomTable(6, 11))
    const hypotheses = [[1, 2], [3], [1, 2, 5], [4, 4]]
    const { scores, best, order } = await mmiRerank(backward, [2, 3], hypotheses, 5)
    // The backward input: a trailing eos on a hypothesis is not doubled.
    expect(dialogptBackwardInput([1, 2, 5], [2, 3], 5)).toEqual({ context: [1, 2, 5], target: [2, 3, 5] })
    const expected = await backward.score(hypotheses.map((h) => dialogptBackwardInput(h, [2, 3], 5).context), hypotheses.map(() => [2, 3, 5]))
    expect(scores).toEqual([expected[0], expected[1], expected[0], expected[3]]) // [1, 2] and [1, 2, 5] read the same context
    expect(order[0]).toBe(best)
    expect(scores[best]).toBe(Math.min(...scores))
  })

  it('scores each distinct hypothesis once', async () => {
    const backward = new ToyLM(randomTable(6, 12))
    await mmiRerank(backward, [1], [[2], [3], [2], [2], [3]], 5)
    expect(backward.scoreCalls.map((targets) => targets.length)).toEqual([2])
  })

  it('generate with mmi samples numSamples replies with top-K and returns the backward model\'s favourite', async () => {
    const forward = new ToyLM(randomTable(6, 13))
    const backward = new ToyLM(randomTable(6, 14))
    const best = (await generate(forward, [1, 2, 5], { maxNewTokens: 3, eosTokenId: 5, seed: 3, mmi: { backward, numSamples: 6, topK: 3 } }))[0]![0]
    expect(forward.stepRows[0]).toBe(1)
    expect(forward.stepRows[1]).toBe(6)
    const sampled = await generate(forward, [1, 2, 5], { maxNewTokens: 3, eosTokenId: 5, seed: 3, doSample: true, topK: 3, numReturnSequences: 6 })
    const { best: index } = await mmiRerank(backward, [1, 2], sampled[0]!.map((s) => s.ids), 5)
    expect(best!.ids).toEqual(sampled[0]![index]!.ids)
    expect(forward.liveCaches).toBe(0)
  })

  it('samples with the paper\'s setting whatever the call\'s own sampling options say; changes go through the MMI config', async () => {
    const forward = new ToyLM(randomTable(8, 15))
    const backward = new ToyLM(randomTable(8, 16))
    const ids = async (config: Parameters<typeof generate>[2]) => (await generate(forward, [1, 2, 7], { maxNewTokens: 4, eosTokenId: 7, seed: 5, ...config }))[0]!.map((s) => s.ids)
    const paper = await ids({ mmi: { backward, numSamples: 8 } })
    // Chat-style options on the call (as a chat preset would add them) do not leak into MMI's sampling.
    expect(await ids({ temperature: 0.3, topP: 0.5, topK: 2, doSample: true, mmi: { backward, numSamples: 8 } })).toEqual(paper)
    // The same samples as plain top-K 10 sampling at temperature 1.
    const sampled = await generate(forward, [1, 2, 7], { maxNewTokens: 4, eosTokenId: 7, seed: 5, doSample: true, topK: 10, numReturnSequences: 8 })
    const { best } = await mmiRerank(backward, [1, 2], sampled[0]!.map((s) => s.ids), 7)
    expect(paper[0]).toEqual(sampled[0]![best]!.ids)
    // An explicit change in the MMI config does apply.
    const cold = await generate(forward, [1, 2, 7], { maxNewTokens: 4, eosTokenId: 7, seed: 5, doSample: true, topK: 10, temperature: 0.3, numReturnSequences: 8 })
    const { best: coldBest } = await mmiRerank(backward, [1, 2], cold[0]!.map((s) => s.ids), 7)
    expect((await ids({ mmi: { backward, numSamples: 8, temperature: 0.3 } }))[0]).toEqual(cold[0]![coldBest]!.ids)
  })
})
