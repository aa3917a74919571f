import '@tensorflow/tfjs-backend-cpu'
import '@dialogpt/core/node'
import * as tf from '@tensorflow/tfjs-core'
import type { AddressInfo } from 'node:net'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DialoGPT, GPT2, gpt2Config, loadGPT2 } from '@dialogpt/core'
import { generate } from '@dialogpt/decode'
import { describeShared, sharedPath } from '../../../test/shared'
import { createServer } from './server'

describeShared('dialogpt serve: the official openai client against createServer on 127.0.0.1', ['fixtures', 'gpt2-tiny'], () => {
  let bot: DialoGPT
  let long: DialoGPT
  let app: ReturnType<typeof createServer>
  let client: OpenAI
  let base = ''
  beforeAll(async () => {
    await tf.setBackend('cpu')
    bot = new DialoGPT(await loadGPT2(sharedPath('fixtures', 'gpt2-tiny')))
    app = createServer({ bot, modelId: 'tiny', maxWaiting: 8 })
    await app.listen({ host: '127.0.0.1', port: 0 })
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 })
    // A model with room for long replies (eos banned for their length), to stop mid-stream.
    long = new DialoGPT(GPT2.random(gpt2Config({ ...gpt2Config('micro'), vocab_size: 50257, bos_token_id: 50256, eos_token_id: 50256, n_positions: 4096 }), 2))
  })
  afterAll(async () => {
    await app?.close()
    bot?.dispose()
    long?.dispose()
  })

  const messages = [
    { role: 'user' as const, content: 'Hello there' },
    { role: 'assistant' as const, content: 'Hi!' },
    { role: 'user' as const, content: 'How are you today?' },
  ]
  /** What generate() gives for the same dialogue and settings (the bot's defaults under the request's). */
  async function expected(config: Parameters<DialoGPT['configFor']>[0], dialogue: { content: string }[] = messages) {
    const c = bot.configFor(config)
    const prompt = bot.promptFor(dialogue.map((m) => bot.tokenizer.encode(m.content)), c.maxNewTokens!, 'refuse').ids
    return (await generate(bot.lm, prompt, c))[0]!.map((s) => bot.tokenizer.decode(s.ids.filter((id) => id !== 50256)))
  }

  it('lists the model and answers health checks', async () => {
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['tiny'])
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: 'ok', model: 'tiny', running: 0, waiting: 0 })
  })

  it('keeps the last conversation\'s KV cache: the next turn of it reuses the cache and answers as a fresh generate() does', async () => {
    const first = await client.chat.completions.create({ model: 'tiny', messages, max_tokens: 6, temperature: 0 })
    const held = (await (await fetch(`${base}/health`)).json()).cachedPositions as number
    expect(held).toBeGreaterThan(0)
    const next = [...messages, { role: 'assistant' as const, content: first.choices[0]!.message.content! }, { role: 'user' as const, content: 'And tomorrow?' }]
    const second = await client.chat.completions.create({ model: 'tiny', messages: next, max_tokens: 6, temperature: 0 })
    expect(second.choices[0]!.message.content).toBe((await expected({ maxNewTokens: 6, doSample: false }, next))[0])
    expect((await (await fetch(`${base}/health`)).json()).cachedPositions).toBeGreaterThan(held)
  })

  it('completes a dialogue as generate() does: greedy, sampled with a seed, and n > 1', async () => {
    const greedy = await client.chat.completions.create({ model: 'tiny', messages, max_tokens: 6, temperature: 0 })
    expect(greedy.choices[0]!.message.content).toBe((await expected({ maxNewTokens: 6, doSample: false }))[0])
    expect(greedy.usage!.completion_tokens).toBeGreaterThan(0)
    const sampled = await client.chat.completions.create({ model: 'tiny', messages, max_tokens: 6, temperature: 0.9, top_p: 0.8, seed: 11 })
    expect(sampled.choices[0]!.message.content).toBe((await expected({ maxNewTokens: 6, doSample: true, temperature: 0.9, topP: 0.8, seed: 11 }))[0])
    const three = await client.chat.completions.create({ model: 'tiny', messages, max_tokens: 5, temperature: 1, n: 3, seed: 4 })
    expect(three.choices.map((c) => c.message.content)).toEqual(await expected({ maxNewTokens: 5, doSample: true, temperature: 1, numReturnSequences: 3, seed: 4 }))
    expect(three.choices.map((c) => c.index)).toEqual([0, 1, 2])
    // DialoGPT's own options pass as extra fields.
    const beams = await client.chat.completions.create({ model: 'tiny', messages, max_tokens: 5, temperature: 0, num_beams: 3 } as never)
    expect((beams as OpenAI.ChatCompletion).choices[0]!.message.content).toBe((await expected({ maxNewTokens: 5, doSample: false, numBeams: 3 }))[0])
  })

  it('answers concurrent requests (batched when they wait together) each as generate() alone would', async () => {
    const seeds = [1, 2, 3, 4, 5]
    const asked = seeds.map((seed) => client.chat.completions.create({ model: 'tiny', messages, max_tokens: 6, temperature: seed === 3 ? 0 : 0.9, seed }))
    const answers = await Promise.all(asked)
    for (const [i, seed] of seeds.entries()) {
      const want = seed === 3 ? { maxNewTokens: 6, doSample: false, seed } : { maxNewTokens: 6, doSample: true, temperature: 0.9, seed }
      expect(answers[i]!.choices[0]!.message.content, `seed ${seed}`).toBe((await expected(want))[0])
    }
  })

  it('streams the same text as the plain answer, as server-sent events ending in [DONE]', async () => {
    const plain = await client.chat.completions.create({ model: 'tiny', messages, max_tokens: 8, temperature: 0.7, seed: 3 })
    const chunks = await client.chat.completions.create({ model: 'tiny', messages, max_tokens: 8, temperature: 0.7, seed: 3, stream: true })
    let text = ''
    let finish: string | null = null
    for await (const chunk of chunks) {
      text += chunk.choices[0]?.delta.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    expect(text).toBe(plain.choices[0]!.message.content)
    expect(finish).toBe(plain.choices[0]!.finish_reason)
  })

  it('stops a generation within a step when its client goes away mid-stream, freeing its tensors', async () => {
    const longApp = createServer({ bot: long, modelId: 'long' })
    await longApp.listen({ host: '127.0.0.1', port: 0 })
    const longClient = new OpenAI({ baseURL: `http://127.0.0.1:${(longApp.server.address() as AddressInfo).port}/v1`, apiKey: 'unused', maxRetries: 0 })
    const before = tf.memory().numTensors
    const controller = new AbortController()
    const stream = await longClient.chat.completions.create({ model: 'long', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 3000, min_tokens: 3000, temperature: 1, seed: 1, stream: true } as never, { signal: controller.signal })
    let pieces = 0
    try {
      for await (const _ of stream as unknown as AsyncIterable<unknown>) {
        if (++pieces === 5) {
          controller.abort()
          break
        }
      }
    } catch (error) {
      expect((error as Error).name).toMatch(/Abort/)
    }
    expect(pieces).toBe(5)
    // The server notices the closed connection at its next step and frees that generation's tensors;
    // what it fed stays as the kept conversation cache (a key and a value per layer) until the server closes.
    for (let i = 0; i < 200 && (await (await fetch(`http://127.0.0.1:${(longApp.server.address() as AddressInfo).port}/health`)).json()).running !== 0; i++) await new Promise((r) => setTimeout(r, 25))
    expect((await (await fetch(`http://127.0.0.1:${(longApp.server.address() as AddressInfo).port}/health`)).json()).running).toBe(0)
    expect(tf.memory().numTensors).toBe(before + 2 * long.model.config.n_layer)
    await longApp.close()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('refuses bad requests with OpenAI-style errors naming the field, and never crashes', async () => {
    const bad = async (body: string | object, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
      const r = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) })
      return { status: r.status, json: (await r.json()) as { error: { message: string; param: string | null; code: string | null } } }
    }
    await expect(client.chat.completions.create({ model: 'tiny', messages: [{ role: 'system', content: 'Be nice' }, ...messages] })).rejects.toMatchObject({ status: 400, param: 'messages[0].role' })
    expect((await bad('{"messages": [')).json.error.code).toBe('invalid_json')
    expect((await bad({ messages: [{ role: 'user', content: 'x'.repeat(2 ** 21) }] })).json.error.code).toBe('body_too_large')
    expect((await bad({ messages: Array.from({ length: 300 }, () => ({ role: 'user', content: 'hi' })) })).json.error.param).toBe('messages')
    const room = await bad({ messages, max_tokens: 200 })
    expect(room.status).toBe(400)
    expect(room.json.error.param).toBe('max_tokens')
    const tooLong = await bad({ messages: [{ role: 'user', content: 'word '.repeat(100) }], max_tokens: 10 })
    expect(tooLong.json.error).toMatchObject({ code: 'context_length_exceeded', param: 'messages[0].content' })
    expect((await bad({ messages, frequency_penalty: 1 })).json.error.param).toBe('frequency_penalty')
    expect((await bad({ messages, tempreature: 1 })).json.error.message).toMatch(/unknown field 'tempreature'/)
    expect((await bad({ messages, mmi: true })).json.error.param).toBe('mmi')
    expect((await client.chat.completions.create({ model: 'tiny', messages, max_tokens: 3, temperature: 0 })).choices).toHaveLength(1)
  })
})

describe('admission and keys', () => {
  it('answers 503 with Retry-After beyond the queue, and 401 without the API key', async () => {
    await tf.setBackend('cpu')
    const bot = new DialoGPT(GPT2.random(gpt2Config({ ...gpt2Config('micro'), vocab_size: 50257, bos_token_id: 50256, eos_token_id: 50256, n_positions: 4096 }), 3))
    const app = createServer({ bot, maxWaiting: 0, apiKey: 'sesame', retryAfterSeconds: 3 })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/chat/completions`
    const running = async () => ((await (await fetch(url.replace('/v1/chat/completions', '/health'))).json()) as { running: number }).running
    const post = (key?: string, tokens = 5, signal?: AbortSignal) =>
      fetch(url, { method: 'POST', signal, headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: tokens, min_tokens: tokens, stream: tokens > 5 }) })
    expect((await post()).status).toBe(401)
    expect((await post('wrong')).status).toBe(401)
    // A long streamed generation holds the model; the queue holds none: the next request is refused at once.
    const holder = new AbortController()
    const busy = await post('sesame', 3000, holder.signal)
    expect(busy.status).toBe(200)
    expect(await running()).toBe(1)
    const refused = await post('sesame')
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('3')
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('queue_full')
    holder.abort()
    while ((await running()) !== 0) await new Promise((r) => setTimeout(r, 20))
    expect((await post('sesame')).status).toBe(200)
    await app.close()
    bot.dispose()
  })
})
