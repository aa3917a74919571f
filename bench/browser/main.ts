// Browser half of the backend decode benchmark (bench/browser-decode.bench.ts drives it): greedy
// decoding with the 124M shape (random weights) on the backend and wasm thread count in the query.
import * as tf from '@tensorflow/tfjs-core'
import { setThreadsCount, getThreadsCount } from '@tensorflow/tfjs-backend-wasm'
import { selectWebBackend } from '@dialogpt/backend-web'
import { GPT2, gpt2Config, disposeCache } from '@dialogpt/core'
import { wasmFiles } from '../../examples/web-chat/wasm-files'

interface BenchResult {
  backend: string
  threads: number | null
  crossOriginIsolated: boolean
  wasmMultithreadSupport: boolean
  prefillMs: number
  stepMs: number[]
}

async function run(): Promise<BenchResult> {
  const q = new URLSearchParams(location.search)
  const backend = q.get('backend') as 'wasm' | 'webgl' | 'webgpu'
  const threads = Number(q.get('threads') ?? 1)
  const tokens = Number(q.get('tokens') ?? 8)
  const promptLength = Number(q.get('prompt') ?? 64)
  if (backend === 'wasm') setThreadsCount(threads)
  await selectWebBackend({ prefer: backend, wasmPaths: wasmFiles })
  const model = GPT2.random(gpt2Config('small'), 1)
  const prompt = [Array.from({ length: promptLength }, (_, i) => (i * 7919) % 50257)]
  let t = performance.now()
  const first = model.forward(prompt, { lastOnly: true })
  let cache = first.cache
  const firstId = tf.argMax(first.logits, -1)
  let next = (await firstId.data())[0]!
  firstId.dispose()
  first.logits.dispose()
  const prefillMs = performance.now() - t
  const stepMs: number[] = []
  for (let i = 0; i < tokens; i++) {
    t = performance.now()
    const out = model.forward([[next]], { cache, lastOnly: true })
    const id = tf.argMax(out.logits, -1)
    next = (await id.data())[0]!
    id.dispose()
    out.logits.dispose()
    disposeCache(cache)
    cache = out.cache
    stepMs.push(performance.now() - t)
  }
  disposeCache(cache)
  model.dispose()
  return {
    backend: tf.getBackend(),
    threads: backend === 'wasm' ? getThreadsCount() : null,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    wasmMultithreadSupport: (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean,
    prefillMs,
    stepMs,
  }
}

run().then(
  (r) => {
    ;(window as unknown as { benchResult: unknown }).benchResult = r
    document.getElementById('out')!.textContent = JSON.stringify(r, null, 2)
  },
  (e: Error) => {
    ;(window as unknown as { benchResult: unknown }).benchResult = { error: e.message }
    document.getElementById('out')!.textContent = `error: ${e.message}`
  },
)
