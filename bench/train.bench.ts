// Training benchmark at the 124M shape (random weights): one full fine-tuning step — forward,
// backward over every parameter, global-norm clipping, AdamW update — on 4 × 64 tokens, run as
// 4 micro-batches of 1 × 64 with summed gradients (on wasm a single 4 × 64 batch does not fit the
// 4 GB heap). On wasm the optimiser moments live in host memory (the Trainer's default there).
// The cpu backend takes minutes per 4 × 64 step, so there one 1 × 64 micro-batch step is timed.
import * as tf from '@tensorflow/tfjs-core'
import { accumulateGradients, AdamW, clipByGlobalNorm } from '@dialogpt/core'
import { measure, printTable, round, writeResult, type Timing } from './lib'
import { randomSmall, setBackend, wasmHeapBytes } from './model-shapes'

export const name = 'train'

const LENGTH = 64

export async function run(): Promise<Record<string, unknown>> {
  const results: Record<string, Record<string, unknown>> = {}
  const only = process.env.BENCH_TRAIN_BACKENDS?.split(',') ?? (process.env.BENCH_CPU === '1' ? ['wasm', 'cpu'] : ['wasm'])
  for (const backend of only) {
    await setBackend(backend)
    const rows = backend === 'cpu' ? 1 : 4
    const model = randomSmall()
    const optimizer = new AdamW({ learningRate: 1e-5, weightDecay: 0.01, decay: 'matrices', stateOnHost: backend === 'wasm' })
    const micro = Array.from({ length: rows }, (_, b) => {
      const row = Array.from({ length: LENGTH }, (_, t) => (b * 7919 + t * 104729) % 50257)
      return { inputIds: [row], labels: [row.map((_, t) => row[(t + 1) % LENGTH]!)] }
    })
    let peakBytes = 0
    const step = async () => {
      const { grads } = accumulateGradients(model, micro)
      peakBytes = Math.max(peakBytes, tf.memory().numBytes)
      clipByGlobalNorm(grads, 1, { inPlace: true })
      optimizer.applyGradients(grads)
      tf.dispose(grads)
      await model.parameters().get('transformer.wte.weight')!.data()
    }
    const timing: Timing = await measure(step, backend === 'cpu' ? 1 : 5, backend === 'cpu' ? 0 : 1)
    const wasmHeap = backend === 'wasm' ? wasmHeapBytes() : null
    results[backend] = {
      rows,
      length: LENGTH,
      step: timing,
      tokensPerSecond: round((rows * LENGTH) / (timing.medianMs / 1000)),
      peakTensorMiB: round(peakBytes / 2 ** 20, 0),
      wasmHeapMiB: wasmHeap === null ? null : round(wasmHeap / 2 ** 20, 0),
      optimizerState: backend === 'wasm' ? 'host' : 'tensors',
      note: backend === 'cpu' ? 'one measured 1 x 64 step, no warm-up (a 4 x 64 step takes minutes on cpu)' : '4 micro-batches of 1 x 64 per step; 5 measured steps after 1 warm-up',
    }
    optimizer.dispose()
    model.dispose()
    if (tf.memory().numTensors !== 0) console.warn(`${backend}: ${tf.memory().numTensors} tensors left after the benchmark`)
  }
  printTable(
    'training step, GPT-2 124M shape, AdamW over every parameter (median of the runs)',
    Object.entries(results).map(([backend, r]) => ({
      backend,
      tokens: `${r.rows as number} x ${LENGTH}`,
      'step ms': (r.step as Timing).medianMs,
      'min ms': (r.step as Timing).minMs,
      'max ms': (r.step as Timing).maxMs,
      runs: (r.step as Timing).runs,
      'tokens/s': r.tokensPerSecond as number,
      'wasm heap MiB': (r.wasmHeapMiB as number | null) ?? '-',
    })),
  )
  if (results.wasm && results.cpu) console.log(`tokens/s, wasm / cpu: ${round((results.wasm.tokensPerSecond as number) / (results.cpu.tokensPerSecond as number))}x`)
  const result = { model: 'GPT-2 124M shape (12 x 768), random weights', results }
  console.log(`wrote ${writeResult(name, result)}`)
  return result
}
