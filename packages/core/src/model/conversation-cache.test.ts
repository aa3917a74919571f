import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generate, type GeneratedSequence } from '@dialogpt/decode'
import { DialoGPT } from '../dialogpt'
import { loadTiny, useBackend } from '../testing/tiny'
import { describeShared } from '../../../../test/shared'
import { causalLM } from './causal-lm'
import { ConversationCache } from './conversation-cache'
import { GPT2 } from './gpt2'
import { gpt2Config } from './config'

/** The one sequence of a one-prompt, one-sequence generation. */
const first = (out: GeneratedSequence[][]) => out[0]![0]!

describe('ConversationCache', () => {
  let model: GPT2
  beforeAll(async () => {
    await useBackend('wasm')
    model = GPT2.random(gpt2Config({ ...gpt2Config('micro'), n_positions: 96 }), 8)
  })
  afterAll(() => model.dispose())

  it('feeds only what follows the prefix it holds, giving the ids a fresh prompt gives, and frees what it holds', async () => {
    const lm = new ConversationCache(causalLM(model))
    const config = { maxNewTokens: 6, eosTokenId: -1 }
    await generate(causalLM(model), [1, 2], config) // tfjs's one-time allocations happen before the count
    const before = tf.memory().numTensors
    let conversation = [5, 9, 300, 7]
    let previous = 0
    for (let turn = 0; turn < 5; turn++) {
      const cached = first(await generate(lm, conversation, config))
      const fresh = first(await generate(causalLM(model), conversation, config))
      expect(cached.ids).toEqual(fresh.ids)
      // The first turn computes everything; later ones reuse the previous prompt and the reply
      // tokens that were fed (all but the last, or all), and compute only the rest.
      if (turn === 0) expect(lm.lastReused).toBe(0)
      else expect([previous + 5, previous + 6]).toContain(lm.lastReused)
      previous = conversation.length
      conversation = [...conversation, ...cached.ids, 100 + turn, 200 + turn, 511]
    }
    expect(lm.heldPositions).toBeGreaterThan(0)
    lm.forget()
    expect(lm.heldPositions).toBe(0)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('computes a prompt whose start changed from scratch (positions from 0, as for a fresh prompt), and reuses a shared start partly', async () => {
    const lm = new ConversationCache(causalLM(model))
    const config = { maxNewTokens: 4, eosTokenId: -1 }
    await generate(lm, [1, 2, 3, 4, 5, 6], config)
    const truncated = first(await generate(lm, [3, 4, 5, 6, 7, 8], config))
    expect(lm.lastReused).toBe(0)
    expect(truncated.ids).toEqual(first(await generate(causalLM(model), [3, 4, 5, 6, 7, 8], config)).ids)
    const branched = first(await generate(lm, [3, 4, 5, 9, 9], config))
    expect(lm.lastReused).toBe(3)
    expect(branched.ids).toEqual(first(await generate(causalLM(model), [3, 4, 5, 9, 9], config)).ids)
    // Beam search passes through and forgets what is held.
    await generate(lm, [3, 4, 5, 9, 9], { ...config, numBeams: 3 })
    expect(lm.heldPositions).toBe(0)
    lm.forget()
  })
})

describeShared('a chat keeps its KV cache between turns', ['fixtures', 'gpt2-tiny'], () => {
  it('replies as a session without the cache does, turn after turn, and across a truncated history', async () => {
    await useBackend('wasm')
    const bot = new DialoGPT(loadTiny())
    const generation = { maxNewTokens: 6, doSample: false }
    const chat = bot.chat({ generation })
    const uncached = bot.chat({ generation })
    const reused: number[] = []
    // gpt2-tiny has 64 positions: after a few turns the oldest are dropped and the prompt starts afresh.
    for (let i = 0; i < 8; i++) {
      const message = `message ${i} with some words`
      uncached.dispose() // forgets its cache: this turn is computed from the whole prompt
      expect(await chat.send(message)).toBe(await uncached.send(message))
      expect(uncached.lm.lastReused).toBe(0)
      reused.push(chat.lm.lastReused)
    }
    uncached.dispose()
    expect(reused[0]).toBe(0)
    expect(reused.some((n) => n > 0)).toBe(true)
    // A truncation: the prompt lost its oldest turn, so only what happens to match at its start
    // (the word 'message' at position 0) is reused, fewer positions than the turn before.
    expect(reused.some((n, i) => i > 0 && n < reused[i - 1]!)).toBe(true)
    chat.dispose()
    bot.dispose()
  })
})
