// Forward benchmark at the 124M shape (random weights), batch 1: prefill of 64 tokens (last-position
// logits) and one decode step with a KV cache of 64 and of 512 positions, on wasm: as shipped, with
// the fused LayerNorm/GELU kernels off, and as the baseline in the same process with both the
// cached transposed head and the fused kernels off. BENCH_CPU=1 adds the cpu
// backend (30-50x slower; left out by default to keep `pnpm bench` under 10 minutes).
import * as tf from '@tensorflow/tfjs-core'
import { disposeCache } from '@dialogpt/core'
import { measure, printTable, round, writeResult, type Timing } from './lib'
import { randomCache, randomSmall, setBackend, useWasmKernels } from './model-shapes'

export const name = 'forward'

const variants = [
  { key: 'wasm', backend: 'wasm', headCache: true, fusedKernels: true },
  { key: 'wasm, fused kernels off', backend: 'wasm', headCache: true, fusedKernels: false },
  { key: 'wasm, head cache and fused kernels off (baseline)', backend: 'wasm', headCache: false, fusedKernels: false },
  ...(process.env.BENCH_CPU === '1' ? [{ key: 'cpu', backend: 'cpu', headCache: true, fusedKernels: true }] : []),
]

export async function run(): Promise<Record<string, unknown>> {
  const results: Record<string, Record<string, Timing | number>> = {}
  for (const v of variants) {
    console.log(`running: ${v.key}`)
    await setBackend(v.backend)
    useWasmKernels({ headCache: v.headCache, fused: v.fusedKernels, perHeadAttention: v.fusedKernels })
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
    const row: Record<string, Timing | number> = {}
    row.prefill64 = await measure(prefill, 5, 1)
    for (const context of [64, 512]) {
      const d = decodeAt(context)
      row[`decode@${context}`] = await measure(d.step, v.backend === 'cpu' ? 5 : 10, 1)
      d.dispose()
    }
    row.decodeTokensPerSecond64 = round(1000 / (row['decode@64'] as Timing).medianMs)
    row.decodeTokensPerSecond512 = round(1000 / (row['decode@512'] as Timing).medianMs)
    model.dispose()
    results[v.key] = row
    if (tf.memory().numTensors !== 0) console.warn(`${v.key}: ${tf.memory().numTensors} tensors left after the benchmark`)
  }
  const baseline = results['wasm, head cache and fused kernels off (baseline)']!
  printTable(
    'forward, GPT-2 124M shape, random weights, batch 1: median ms (min-max); ratio = baseline / this (higher is faster)',
    ['prefill64', 'decode@64', 'decode@512'].flatMap((k) =>
      Object.entries(results).map(([variant, r]) => {
        const t = r[k] as Timing
        return { what: k, variant, 'median ms': t.medianMs, 'min-max ms': `${t.minMs}-${t.maxMs}`, runs: t.runs, 'x baseline': round((baseline[k] as Timing).medianMs / t.medianMs) }
      }),
    ),
  )
  const result = { model: 'GPT-2 124M shape (12 x 768), random weights', results }
  console.log(`wrote ${writeResult(name, result)}`)
  return result
}
