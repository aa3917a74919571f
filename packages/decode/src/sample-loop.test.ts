import '@tensorflow/tfjs-backend-cpu'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { generate } from './generate'
import { randomTable, ToyLM } from './testing/toy-lm'

beforeAll(() => tf.setBackend('cpu'))

describe('greedy search and sampling (sampleLoop)', () => {
  it('greedy follows the argmax chain and stops at eos, freeing every cache', async () => {
    const lm = new ToyLM(randomTable(6, 1))
    const out = (await generate(lm, [2, 3], { maxNewTokens: 10, eosTokenId: 5 }))[0]![0]
    const expected: number[] = []
    let t = 3
    for (let k = 0; k < 10; k++) {
      const row = lm.table[t]!
      t = row.indexOf(Math.max(...row))
      expected.push(t)
      if (t === 5) break
    }
    expect(out!.ids).toEqual(expected)
    expect(out!.finishedBy).toBe(expected.at(-1) === 5 ? 'eos' : 'max_length')
    expect(lm.liveCaches).toBe(0)
  })

  it('left-pads batched prompts so each row continues from its own last token', async () => {
    const lm = new ToyLM(randomTable(6, 2))
    const batched = await generate(lm, [[1], [4, 2, 3]], { maxNewTokens: 4, eosTokenId: 99 })
    for (const [i, prompt] of [[1], [4, 2, 3]].entries()) expect(batched[i]![0]!.ids).toEqual((await generate(lm, prompt, { maxNewTokens: 4, eosTokenId: 99 }))[0]![0]!.ids)
    expect(lm.liveCaches).toBe(0)
  })

  it('samples reproducibly by seed, reads a prompt once for all its sampled rows, and never leaves top-K', async () => {
    const lm = new ToyLM(randomTable(8, 3))
    const config = { maxNewTokens: 6, doSample: true, topK: 2, numReturnSequences: 4, seed: 5, eosTokenId: 99 }
    const a = await generate(lm, [1, 2], config)
    lm.stepRows = []
    const b = await generate(lm, [1, 2], config)
    expect(b).toEqual(a)
    expect(lm.stepRows[0]).toBe(1) // the prompt, read once
    expect(lm.stepRows.slice(1).every((n) => n === 4)).toBe(true)
    for (const seq of a[0]!) {
      let prev = 2
      for (const t of seq.ids) {
        const top2 = lm.table[prev]!.map((x, i) => [x, i] as const).sort((p, q) => q[0] - p[0]).slice(0, 2).map((p) => p[1])
        expect(top2).toContain(t)
        prev = t
      }
    }
    expect(lm.liveCaches).toBe(0)
  })
})
