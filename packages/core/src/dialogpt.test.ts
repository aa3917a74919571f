import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeShared } from '../../../test/shared'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate } from '@dialogpt/decode'
import { DialoGPT } from './dialogpt'
import { DIALOGPT_CHAT_DEFAULTS } from './generation-defaults'
import { disposeCache } from './model/gpt2'
import { loadTiny, tinyDir, useBackend } from './testing/tiny'

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
    // The session keeps one KV cache between turns (a key and a value per layer), and frees it on dispose.
    expect(tf.memory().numTensors).toBe(start + 2 * bot.model.config.n_layer)
    chat.dispose()
    expect(tf.memory().numTensors).toBe(start)
    // A single message longer than the whole window keeps only its end.
    const long = 'word '.repeat(500)
    await expect(chat.send(long)).resolves.toEqual(expect.any(String))
  })

  it('layers its settings: chat defaults, then the model\'s generation_config.json, then fromPretrained\'s, then the call\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialogpt-layers-'))
    for (const f of ['model.safetensors', 'config.json']) copyFileSync(join(tinyDir, f), join(dir, f))
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ max_new_tokens: 4, do_sample: false, temperature: 0.5, top_k: null }))
    const loaded = await DialoGPT.fromPretrained(dir, { generation: { temperature: 0.7 } })
    try {
      expect(loaded.generation).toEqual({ maxNewTokens: 4, doSample: false, temperature: 0.7 })
      expect(loaded.configFor({ maxNewTokens: 2 })).toEqual({ ...DIALOGPT_CHAT_DEFAULTS, doSample: false, temperature: 0.7, maxNewTokens: 2 })
      const got = (await loaded.generate('Hello there'))[0]![0]!
      const want = (await generate(loaded.lm, loaded.tokenizer.encodeTurns(['Hello there']), { ...DIALOGPT_CHAT_DEFAULTS, maxNewTokens: 4, doSample: false, temperature: 0.7 }))[0]![0]!
      expect(got.ids).toEqual(want.ids)
      // MMI takes only what was set explicitly: none of the chat defaults (it samples as the paper does).
      const mmi = { backward: loaded.lm }
      expect(loaded.configFor({ mmi })).toEqual({ maxNewTokens: 4, doSample: false, temperature: 0.7, mmi })
    } finally {
      loaded.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
