// `dialogpt serve` under load on loopback: the server (createServer) in this process, on wasm, with
// the 124M shape (random weights) and the gpt2-tiny fixture. One client sends 25 streamed requests
// (the baseline); then 8 concurrent clients send 25 each. Every request asks for 16 new tokens
// exactly (min_tokens = max_tokens), so the work per request is the same. Reported: latency p50 and
// p95, time to first token, aggregate tokens/s against the single client, errors, and
// tf.memory().numTensors and RSS before and after (flat after the warm-up).
import * as tf from '@tensorflow/tfjs-core'
import type { AddressInfo } from 'node:net'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DialoGPT, loadGPT2 } from '@dialogpt/core'
import { createServer } from '@dialogpt/serve'
import { printTable, round, sharedDir, writeResult } from './lib'
import { randomSmall, setBackend } from './model-shapes'

export const name = 'serve'

const TOKENS = 16
const REQUESTS = 25
const CLIENTS = 8

interface Sample {
  ms: number
  firstTokenMs: number
  tokens: number
  ok: boolean
}

/** One streamed request: the time to its first content and to its end, and its completion tokens (counted from the chunks). */
async function request(url: string, i: number): Promise<Sample> {
  const started = performance.now()
  let first = 0
  let tokens = 0
  try {
    const r = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: `How was your day, friend number ${i}?` }], max_tokens: TOKENS, min_tokens: TOKENS, temperature: 0.8, seed: i, stream: true }),
    })
    if (r.status !== 200 || !r.body) return { ms: performance.now() - started, firstTokenMs: 0, tokens: 0, ok: false }
    const decoder = new TextDecoder()
    let done = false
    for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
      for (const line of decoder.decode(chunk, { stream: true }).split('\n')) {
        if (!line.startsWith('data: ')) continue
        if (line === 'data: [DONE]') done = true
        else if ((JSON.parse(line.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content) {
          tokens++
          if (!first) first = performance.now() - started
        }
      }
    }
    return { ms: performance.now() - started, firstTokenMs: first, tokens, ok: done }
  } catch {
    return { ms: performance.now() - started, firstTokenMs: 0, tokens: 0, ok: false }
  }
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0
}

async function load(url: string, clients: number): Promise<Record<string, number>> {
  const started = performance.now()
  const samples = (await Promise.all(Array.from({ length: clients }, (_, c) => (async () => {
    const out: Sample[] = []
    for (let k = 0; k < REQUESTS; k++) out.push(await request(url, c * 1000 + k))
    return out
  })()))).flat()
  const seconds = (performance.now() - started) / 1000
  const ok = samples.filter((s) => s.ok)
  return {
    requests: samples.length,
    errors: samples.length - ok.length,
    p50Ms: round(percentile(ok.map((s) => s.ms), 50)),
    p95Ms: round(percentile(ok.map((s) => s.ms), 95)),
    firstTokenP50Ms: round(percentile(ok.map((s) => s.firstTokenMs), 50)),
    firstTokenP95Ms: round(percentile(ok.map((s) => s.firstTokenMs), 95)),
    tokensPerSecond: round(ok.reduce((n, s) => n + s.tokens, 0) / seconds),
    seconds: round(seconds),
  }
}

export async function run(): Promise<Record<string, unknown>> {
  await setBackend('wasm')
  const models: [string, () => Promise<DialoGPT>][] = [['GPT-2 124M shape, random weights', async () => new DialoGPT(randomSmall())]]
  const tiny = join(sharedDir, 'fixtures', 'gpt2-tiny')
  if (existsSync(tiny)) models.push(['gpt2-tiny fixture', async () => new DialoGPT(await loadGPT2(tiny))])
  const results: Record<string, unknown> = {}
  for (const [label, make] of models) {
    const bot = await make()
    const app = createServer({ bot, maxWaiting: CLIENTS * 2 })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    await request(url, -1) // warm-up
    const before = { numTensors: tf.memory().numTensors, rssMiB: round(process.memoryUsage().rss / 2 ** 20, 0) }
    const single = await load(url, 1)
    const concurrent = await load(url, CLIENTS)
    const after = { numTensors: tf.memory().numTensors, rssMiB: round(process.memoryUsage().rss / 2 ** 20, 0) }
    await app.close()
    bot.dispose()
    results[label] = { single, concurrent, aggregateOverSingle: round(concurrent.tokensPerSecond! / single.tokensPerSecond!), before, after }
    printTable(`dialogpt serve, ${label}: streamed requests of ${TOKENS} tokens on loopback (wasm)`, [
      { clients: 1, ...single },
      { clients: CLIENTS, ...concurrent },
    ])
    console.log(`aggregate tokens/s, ${CLIENTS} clients / 1 client: ${round(concurrent.tokensPerSecond! / single.tokensPerSecond!)}x; numTensors ${before.numTensors} → ${after.numTensors}; RSS ${before.rssMiB} → ${after.rssMiB} MiB`)
  }
  const result = { tokensPerRequest: TOKENS, requestsPerClient: REQUESTS, clients: CLIENTS, backend: 'wasm', results }
  console.log(`wrote ${writeResult(name, result)}`)
  return result
}
