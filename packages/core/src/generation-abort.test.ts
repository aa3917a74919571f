import * as tf from '@tensorflow/tfjs-core'
import { generate, stream, type CausalLM, type GenerationConfig } from '@dialogpt/decode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gpt2Config } from './model/config'
import { causalLM } from './model/causal-lm'
import { GPT2, type KVCache } from './model/gpt2'
import { useBackend } from './testing/tiny'

/**
 * A model whose `step` schedules an abort with `setTimeout(…, 0)` (a timer: it can only fire when
 * the event loop gets a turn) at a chosen step, and counts the steps: a decoder that never yields
 * would run to the end; one that yields stops at the next step. Each step takes at least `busyMs`
 * (2 ms), so Node's 1 ms minimum timer delay has always passed when the step ends.
 */
function abortingModel(network: GPT2, abortAtStep: number, controller: AbortController, busyMs = 2): CausalLM<KVCache> & { steps: number } {
  const model = causalLM(network)
  const wrapper = {
    steps: 0,
    vocabSize: model.vocabSize,
    maxPositions: model.maxPositions,
    step(ids: number[][], cache: KVCache | undefined, mask: number[][]) {
      wrapper.steps++
      if (wrapper.steps === abortAtStep) setTimeout(() => controller.abort(), 0)
      const end = performance.now() + busyMs
      while (performance.now() < end) {
        /* a slow step */
      }
      return model.step(ids, cache, mask)
    },
    reorderCache: (c: KVCache, rows: number[]) => model.reorderCache(c, rows),
    disposeCache: (c: KVCache) => model.disposeCache(c),
    score: (c: number[][], t: number[][], o?: { signal?: AbortSignal }) => model.score(c, t, o),
  }
  return wrapper
}

describe.each(['cpu', 'wasm'])('a timer-based abort stops generation within one step (%s)', (backend) => {
  let model: GPT2
  beforeAll(async () => {
    await useBackend(backend)
    model = GPT2.random(gpt2Config('micro'), 3)
    await generate(causalLM(model), [[1, 2]], { maxNewTokens: 2 }) // first-use caches (the wasm head cache) are not leaks
  })
  afterAll(() => model.dispose())

  const prompt = [[5, 6, 7, 8]]
  const configs: [string, GenerationConfig][] = [
    ['greedy', { maxNewTokens: 50, eosTokenId: 999 }],
    ['sampling', { maxNewTokens: 50, doSample: true, seed: 1, eosTokenId: 999 }],
    ['beam search', { maxNewTokens: 50, numBeams: 4, eosTokenId: 999 }],
  ]
  it.each(configs)('%s', async (_name, config) => {
    const tensors = tf.memory().numTensors
    const controller = new AbortController()
    const slow = abortingModel(model, 3, controller)
    await expect(generate(slow, prompt, { ...config, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
    expect(slow.steps).toBe(3)
    expect(tf.memory().numTensors).toBe(tensors)
  })

  it('streaming', async () => {
    const tensors = tf.memory().numTensors
    const controller = new AbortController()
    const slow = abortingModel(model, 2, controller)
    const ids: number[] = []
    await expect(
      (async () => {
        for await (const id of stream(slow, prompt[0]!, { maxNewTokens: 50, eosTokenId: 999, signal: controller.signal })) ids.push(id)
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' })
    expect(slow.steps).toBe(2)
    expect(tf.memory().numTensors).toBe(tensors)
  })

  it('MMI, during the backward scoring', async () => {
    const tensors = tf.memory().numTensors
    const controller = new AbortController()
    let scoredChunks = 0
    const backward = {
      ...abortingModel(model, Infinity, controller),
      async score(c: number[][], t: number[][], o?: { signal?: AbortSignal }) {
        setTimeout(() => controller.abort(), 0)
        const end = performance.now() + 2
        while (performance.now() < end) {
          /* let the timer's delay pass */
        }
        // 16 rows of ~60 positions are several chunks: the abort lands after the first.
        const original = (c2: number[][], t2: number[][], o2?: { signal?: AbortSignal }) => causalLM(model).score(c2, t2, o2)
        return original(c, t, o).finally(() => scoredChunks++)
      },
    }
    const config: GenerationConfig = { maxNewTokens: 55, minNewTokens: 55, eosTokenId: 511, mmi: { backward, numSamples: 16, topK: 10 }, seed: 2, signal: controller.signal }
    await expect(generate(causalLM(model), prompt, config)).rejects.toMatchObject({ name: 'AbortError' })
    expect(scoredChunks).toBe(1)
    expect(tf.memory().numTensors).toBe(tensors)
  })

  it('AbortSignal.timeout fires during a long generation', async () => {
    const tensors = tf.memory().numTensors
    const slow = abortingModel(model, Infinity, new AbortController(), 2)
    await expect(generate(slow, prompt, { maxNewTokens: 50, eosTokenId: 999, signal: AbortSignal.timeout(1) })).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(slow.steps).toBeLessThan(50)
    expect(tf.memory().numTensors).toBe(tensors)
  })
})
