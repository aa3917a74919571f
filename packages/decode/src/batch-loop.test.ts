import '@tensorflow/tfjs-backend-cpu'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateBatch } from './batch-loop'
import { generate } from './generate'
import { randomTable, ToyLM } from './testing/toy-lm'

beforeAll(() => tf.setBackend('cpu'))

describe('generateBatch: independent requests sharing each forward', () => {
  const requests = [
    { prompt: [1, 2, 3, 7], config: { maxNewTokens: 6, eosTokenId: 7 } },
    { prompt: [4, 7], config: { maxNewTokens: 9, doSample: true, topK: 4, temperature: 0.7, seed: 5, eosTokenId: 7 } },
    { prompt: [5, 6, 1, 2, 3, 4, 7], config: { maxNewTokens: 3, doSample: true, topP: 0.8, seed: 9, repetitionPenalty: 1.3, eosTokenId: 7 } },
  ]

  it('gives each request what generate() gives it alone, with all of them in one forward per step, leaving nothing behind', async () => {
    const model = new ToyLM(randomTable(8, 21))
    const alone = []
    for (const r of requests) alone.push((await generate(model, r.prompt, r.config))[0]![0]!)
    model.stepRows = []
    const streamed: number[][] = requests.map(() => [])
    const together = await generateBatch(model, requests.map((r, i) => ({ ...r, onToken: (id) => void streamed[i]!.push(id) })))
    expect(together.map((t) => ('sequence' in t ? t.sequence : t.error))).toEqual(alone)
    expect(streamed).toEqual(alone.map((s) => s.ids))
    // The first step reads all three prompts at once; rows leave as they finish.
    expect(model.stepRows[0]).toBe(3)
    expect(model.stepRows.length).toBe(Math.max(...alone.map((s) => s.ids.length)))
    expect([...model.stepRows].sort((a, b) => b - a)).toEqual(model.stepRows)
    expect(model.liveCaches).toBe(0)
  })

  it('stops an aborted request alone: the others finish as they would have', async () => {
    const model = new ToyLM(randomTable(8, 22))
    const controller = new AbortController()
    const long = { prompt: [1, 2], config: { maxNewTokens: 20, minNewTokens: 20, eosTokenId: 7, signal: controller.signal } }
    const other = requests[1]!
    const expected = (await generate(model, other.prompt, other.config))[0]![0]!
    let seen = 0
    const out = await generateBatch(model, [{ ...long, onToken: () => void (++seen === 3 && controller.abort()) }, other])
    expect('error' in out[0]! && out[0].error.name).toBe('AbortError')
    expect('sequence' in out[1]! && out[1].sequence).toEqual(expected)
    expect(model.liveCaches).toBe(0)
  })

  it('refuses beams, MMI and several sequences per request', async () => {
    const model = new ToyLM(randomTable(8, 23))
    await expect(generateBatch(model, [{ prompt: [1], config: { numBeams: 2 } }])).rejects.toThrow(/greedy and sampling requests of one sequence/)
  })
})
