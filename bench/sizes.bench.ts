// The larger presets: DialoGPT-medium (345M) loads and chats on wasm; DialoGPT-large (762M) is
// refused on wasm before anything is allocated (its weights and XNNPACK's packed copies exceed the
// 4 GiB heap), with the message users see, and chats on the cpu backend instead (the native
// tfjs-node path cannot be installed here). Random weights; decode steps are timed one by one.
import * as tf from '@tensorflow/tfjs-core'
import { disposeCache, GPT2, gpt2Config, ModelTooLargeError, type GPT2Preset, type KVCache } from '@dialogpt/core'
import { printTable, round, summarize, writeResult } from './lib'
import { setBackend, wasmHeapBytes } from './model-shapes'
import { randomWeights } from './random-weights'

export const name = 'sizes'

/** Builds the preset on `backend`, reads a prompt, then times `steps` greedy decode steps. */
async function chat(preset: GPT2Preset, backend: string, promptLength: number, steps: number) {
  await setBackend(backend)
  const config = gpt2Config(preset)
  let t = performance.now()
  const weights = randomWeights(config)
  const model = new GPT2(config, weights)
  weights.clear()
  const buildMs = performance.now() - t
  t = performance.now()
  const prompt = Array.from({ length: promptLength }, (_, i) => (i * 7919 + 11) % 50257)
  let out = model.forward([prompt], { lastOnly: true })
  let cache: KVCache = out.cache
  let next = (await tf.argMax(out.logits, -1).data())[0]!
  out.logits.dispose()
  const prefillMs = performance.now() - t
  const times: number[] = []
  const ids = [next]
  for (let i = 0; i < steps; i++) {
    t = performance.now()
    out = model.forward([[next]], { cache, lastOnly: true })
    disposeCache(cache)
    cache = out.cache
    const argmax = tf.argMax(out.logits, -1)
    next = (await argmax.data())[0]!
    tf.dispose([argmax, out.logits])
    times.push(performance.now() - t)
    ids.push(next)
  }
  disposeCache(cache)
  const heap = backend === 'wasm' ? wasmHeapBytes() : null
  const step = summarize(times)
  const parameters = [...model.parameters().values()].reduce((s, v) => s + v.size, 0)
  model.dispose()
  return { preset, backend, parameters, buildMs: round(buildMs), promptTokens: promptLength, prefillMs: round(prefillMs), step, tokensPerSecond: round(1000 / step.medianMs), wasmHeapMiB: heap === null ? null : round(heap / 2 ** 20, 0), rssMiB: round(process.memoryUsage().rss / 2 ** 20, 0), generated: ids.length }
}

export async function run(): Promise<Record<string, unknown>> {
  console.log('running: DialoGPT-medium shape on wasm')
  const medium = await chat('medium', 'wasm', 32, 8)
  console.log('running: DialoGPT-large shape on wasm (expected: refused)')
  await setBackend('wasm')
  let refused: string | null = null
  const before = tf.memory().numTensors
  try {
    new GPT2(gpt2Config('large'), new Map()).dispose()
  } catch (error) {
    if (!(error instanceof ModelTooLargeError)) throw error
    refused = error.message
  }
  if (tf.memory().numTensors !== before) throw new Error('the refused large model left tensors behind')
  console.log(`  ${refused ?? 'NOT refused'}`)
  console.log('running: DialoGPT-large shape on cpu')
  const large = await chat('large', 'cpu', 4, 5)
  printTable('larger presets, random weights, greedy decode steps timed one by one', [
    ...[medium, large].map((r) => ({ model: r.preset, backend: r.backend, params: `${round(r.parameters / 1e6, 0)}M`, 'build ms': r.buildMs, 'first forward ms': `${r.prefillMs} (${r.promptTokens} tokens)`, 'step median ms': r.step.medianMs, 'min ms': r.step.minMs, 'max ms': r.step.maxMs, runs: r.step.runs, 'tokens/s': r.tokensPerSecond, 'wasm heap MiB': r.wasmHeapMiB ?? '-' })),
  ])
  console.log(`large on wasm: ${refused ? 'refused before allocating' : 'NOT refused'}`)
  const result = { results: { medium, largeOnWasm: { refused: refused !== null, message: refused }, largeOnCpu: large } }
  console.log(`wrote ${writeResult(name, result)}`)
  return result
}
