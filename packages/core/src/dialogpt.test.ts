import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeShared } from '../../../test/shared'
import { DialoGPT } from './dialogpt'
import { disposeCache } from './model/gpt2'
import { loadTiny, useBackend } from './testing/tiny'

describeShared('DialoGPT chat sessions on the gpt2-tiny fixture', ['fixtures', 'gpt2-tiny'], () => {
  let bot: DialoGPT
  beforeAll(async () => {
    await useBackend(process.env.TFJS_BACKEND ?? 'wasm')
    bot = new DialoGPT(loadTiny())
  })
  afterAll(() => bot?.dispose())

  it('joins turns with eos and generates the reply after the last one (greedy equals the model argmax chain)', async () => {
    const chat = bot.chat({ generation: { doSample: false, noRepeatNgramSize: 0, maxNewTokens: 6 } })
    const reply = await chat.send('Hello there')
    const prompt = bot.tokenizer.encodeTurns(['Hello there'])
    // The same continuation by hand: argmax with the cache.
    const ids = [...prompt]
    for (let i = 0; i < 6; i++) {
      const { logits, cache } = bot.model.forward([ids], { lastOnly: true })
      disposeCache(cache)
      const v = logits.dataSync()
      logits.dispose()
      let best = 0
      for (let k = 1; k < v.length; k++) if (v[k]! > v[best]!) best = k
      if (best === 50256) break
      ids.push(best)
    }
    expect(reply).toBe(bot.tokenizer.decode(ids.slice(prompt.length)))
    expect(chat.history.map((t) => t.role)).toEqual(['user', 'bot'])
    chat.reset()
    expect(chat.history).toEqual([])
  })

  it('streams the same reply text as send() for the same seed', async () => {
    const config = { maxNewTokens: 10, seed: 5 }
    const a = bot.chat({ generation: config })
    const sent = await a.send('How are you?')
    const b = bot.chat({ generation: config })
    let streamed = ''
    for await (const piece of b.stream('How are you?')) streamed += piece
    expect(streamed).toBe(sent)
    expect(b.history[1]!.text).toBe(sent)
  })

  it('never crashes on a long history: whole turns are dropped to fit n_positions, and 50 turns leak no tensor', async () => {
    const chat = bot.chat({ generation: { maxNewTokens: 8, seed: 1 } })
    const start = tf.memory().numTensors
    for (let i = 0; i < 50; i++) await chat.send(`turn ${i}: this is a fairly long message with many words to fill the context window quickly`)
    expect(chat.history.length).toBe(100)
    expect(tf.memory().numTensors).toBe(start)
    // A single message longer than the whole window keeps only its end.
    const long = 'word '.repeat(500)
    await expect(chat.send(long)).resolves.toEqual(expect.any(String))
  })
})
