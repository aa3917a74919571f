import '@tensorflow/tfjs-backend-cpu'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { generate } from './generate'
import { stream, streamText } from './stream'
import { randomTable, ToyLM } from './testing/toy-lm'

beforeAll(() => tf.setBackend('cpu'))

describe('streaming', () => {
  it('yields exactly the ids generate returns, eos included, and frees the cache when the consumer stops early', async () => {
    const lm = new ToyLM(randomTable(6, 21))
    const config = { maxNewTokens: 8, doSample: true, seed: 4, eosTokenId: 5 }
    const ids: number[] = []
    for await (const id of stream(lm, [1, 2], config)) ids.push(id)
    expect(ids).toEqual((await generate(lm, [1, 2], config))[0]![0]!.ids)
    for await (const _ of stream(lm, [1, 2], { maxNewTokens: 8, eosTokenId: 99 })) break
    expect(lm.liveCaches).toBe(0)
  })

  it('streamText holds back a character split over two tokens until it is whole, and leaves out the final eos', async () => {
    // Token 1 and 2 are the two halves of "é" (0xC3 0xA9); 3 is "x"; 5 is eos. The table forces 3 → 1 → 2 → 3 → 5.
    const table = Array.from({ length: 6 }, () => new Array<number>(6).fill(-5))
    table[0]![3] = 5
    table[3]![1] = 5
    table[1]![2] = 5
    table[2]![3] = 5
    table[3]![1] = 5
    const lm = new ToyLM(table)
    const bytes: Record<number, number[]> = { 1: [0xc3], 2: [0xa9], 3: [0x78] }
    const decode = (ids: number[]) => new TextDecoder().decode(Uint8Array.from(ids.flatMap((id) => bytes[id] ?? [])))
    const pieces: string[] = []
    for await (const piece of streamText(lm, [0], decode, { maxNewTokens: 4, eosTokenId: 5 })) pieces.push(piece)
    expect(pieces).toEqual(['x', 'é', 'x'])
    expect(pieces.join('')).toBe('xéx')
  })
})
