// Forward benchmark at the 124M shape (random weights): prefill of 64 tokens (last-position logits)
// and per-token decode with a KV cache of 64 and of 512 positions, on wasm and cpu.
import * as tf from '@tensorflow/tfjs-core'
import { disposeCache } from '@dialogpt/core'
import { measure, printTable, round, writeResult, type Timing } from './lib'
import { randomCache, randomSmall, setBackend } from './model-shapes'

export const name = 'forward'

export async function run(): Promise<Record<string, unknown>> {
  const results: Record<string, Record<string, Timing | number>> = {}
  for (const backend of ['wasm', 'cpu']) {
    await setBackend(backend)
    const model = randomSmall()
    const prompt = [Array.from({ length: 64 }, (_, i) => (i * 7919) % 50257)]
    const prefill = async () => {
      const { logits, cache } = model.forward(prompt, { lastOnly: true })
      await logits.data()
      logits.dispose()
      disposeCache(cache)
    }
    const decodeAt = (context: number) => {
      const cache = randomCache(model, context)
      return {
        step: async () => {
          const out = model.forward([[42]], { cache, lastOnly: true })
          await out.logits.data()
          out.logits.dispose()
          disposeCache(out.cache)
        },
        dispose: () => disposeCache(cache),
      }
    }
    // cpu is 30-50x slower than wasm here: fewer repetitions of its (seconds-long) prefill.
    const runs = 5
    const row: Record<string, Timing | number> = {}
    row.prefill64 = await measure(prefill, runs, 1)
    for (const context of [64, 512]) {
      const d = decodeAt(context)
      row[`decode@${context}`] = await measure(d.step, backend === 'cpu' ? 5 : 10, 1)
      d.dispose()
    }
    row.decodeTokensPerSecond64 = round(1000 / (row['decode@64'] as Timing).medianMs)
    row.decodeTokensPerSecond512 = round(1000 / (row['decode@512'] as Timing).medianMs)
    model.dispose()
    results[backend] = row
    if (tf.memory().numTensors !== 0) console.warn(`${backend}: ${tf.memory().numTensors} tensors left after the benchmark`)
  }
  const wasm = results.wasm!
  const cpu = results.cpu!
  printTable(
    'forward, GPT-2 124M shape, random weights, batch 1 (median ms; cpu/wasm = how much slower cpu is)',
    ['prefill64', 'decode@64', 'decode@512'].map((k) => ({
      what: k,
      'wasm ms': (wasm[k] as Timing).medianMs,
      'cpu ms': (cpu[k] as Timing).medianMs,
      'cpu/wasm': round((cpu[k] as Timing).medianMs / (wasm[k] as Timing).medianMs),
    })),
  )
  const result = { model: 'GPT-2 124M shape (12 x 768), random weights', results }
  console.log(`wrote ${writeResult(name, result)}`)
  return result
}
