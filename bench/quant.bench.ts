// Quantized weights at the 124M shape (random weights, wasm, one thread): greedy decoding with q8
// and f16 matrices against fp32 in the same process (the baseline), beam search with 10 beams at
// q8, the weights' bytes, the time to load a q8 checkpoint from local disk, a 10-turn chat with and
// without the conversation's KV cache kept between turns, and the 345M and 762M shapes at q8. Each strategy also
// runs for one new token (prefill and first choice), so step = (time for N - time for 1) / (N - 1).
import * as tf from '@tensorflow/tfjs-core'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { causalLM, DialoGPT, GPT2, gpt2Config, loadGPT2, quantMemory, saveGPT2, setQuantThreads, type GPT2Preset, type WeightDType } from '@dialogpt/core'
import { nodeQuantWorker } from '@dialogpt/core/node'
import { generate, type GenerationConfig } from '@dialogpt/decode'
import { measure, printTable, round, writeResult, type Timing } from './lib'
import { setBackend, wasmHeapBytes } from './model-shapes'
import { randomWeights } from './random-weights'

export const name = 'quant'

const RUNS = 5
const NEW_TOKENS = 32

interface StepResult {
  full: Timing
  first: Timing
  msPerStep: number
  decodeTokensPerSecond: number
}

async function stepTimes(model: GPT2, prompt: number[], config: GenerationConfig, newTokens: number): Promise<StepResult> {
  const lm = causalLM(model)
  const full = await measure(() => generate(lm, prompt, { ...config, maxNewTokens: newTokens, eosTokenId: -1 }), RUNS, 1)
  const first = await measure(() => generate(lm, prompt, { ...config, maxNewTokens: 1, eosTokenId: -1 }), RUNS, 0)
  const msPerStep = round((full.medianMs - first.medianMs) / (newTokens - 1))
  return { full, first, msPerStep, decodeTokensPerSecond: round(1000 / msPerStep) }
}

export async function run(): Promise<Record<string, unknown>> {
  await setBackend('wasm')
  const config = gpt2Config('small')
  const weights = randomWeights(config)
  const prompt = Array.from({ length: 64 }, (_, i) => (i * 104729) % 50000)
  const results: Record<string, StepResult & { weightMiB: number; dtype: WeightDType; threads: number }> = {}
  const rows: Record<string, string | number>[] = []
  const threads = (n: number) => setQuantThreads({ threads: n, spawn: nodeQuantWorker })
  for (const [dtype, n] of [['fp32', 1], ['q8', 1], ['q8', 2], ['f16', 1], ['f16', 2]] as const) {
    const what = dtype === 'fp32' ? 'greedy fp32' : `greedy ${dtype}, ${n} thread${n > 1 ? 's' : ''}`
    console.log(`running: ${what}`)
    threads(n)
    const model = GPT2.withDType(config, new Map(weights), new Map(), dtype)
    const r = await stepTimes(model, prompt, {}, NEW_TOKENS)
    results[what] = { ...r, weightMiB: round(model.weightBytes / 2 ** 20), dtype, threads: n }
    if (dtype === 'q8') {
      console.log(`running: beam 10, q8, ${n} threads`)
      const beam = await stepTimes(model, prompt, { numBeams: 10 }, 8)
      results[`beam 10 q8, ${n} thread${n > 1 ? 's' : ''}`] = { ...beam, weightMiB: round(model.weightBytes / 2 ** 20), dtype, threads: n }
    }
    model.dispose()
  }
  threads(1)
  for (const [what, r] of Object.entries(results))
    rows.push({ what, 'weights MiB': r.weightMiB, 'prefill + 1st ms': r.first.medianMs, 'ms/step': r.msPerStep, 'tokens/s': r.decodeTokensPerSecond, 'vs fp32 greedy step': round(results['greedy fp32']!.msPerStep / r.msPerStep) })

  // Loading a q8 checkpoint written by saveGPT2 (local disk, warm page cache).
  const dir = mkdtempSync(join(tmpdir(), 'quant-bench-'))
  const q8 = GPT2.withDType(config, new Map(weights), new Map(), 'q8')
  await saveGPT2(q8, dir)
  q8.dispose()
  const load = await measure(async () => (await loadGPT2(dir)).dispose(), RUNS, 1)
  const quantizeOnLoad = await measure(async () => {
    const fp = GPT2.withDType(config, new Map(weights), new Map(), 'q8')
    fp.dispose()
  }, 3, 0)
  rmSync(dir, { recursive: true, force: true })
  rows.push({ what: 'load q8 safetensors (124M)', 'weights MiB': '-', 'prefill + 1st ms': load.medianMs, 'ms/step': '-', 'tokens/s': '-', 'vs fp32 greedy step': '-' })
  rows.push({ what: 'quantize fp32 -> q8 in memory (124M)', 'weights MiB': '-', 'prefill + 1st ms': quantizeOnLoad.medianMs, 'ms/step': '-', 'tokens/s': '-', 'vs fp32 greedy step': '-' })

  // A chat of 10 turns, the same message and reply lengths each turn: the turn's latency with the
  // conversation's KV cache kept (ChatSession's default) and with it dropped before each turn.
  const chatTurns: Record<string, number[]> = {}
  for (const dtype of ['q8', 'fp32'] as const) {
    const bot = new DialoGPT(GPT2.withDType(config, new Map(weights), new Map(), dtype))
    // One throwaway conversation first: the model's first calls pay one-time costs (XNNPACK packing, kernel set-up) that would flatter turn 1.
    const warm = bot.chat({ generation: { maxNewTokens: 16, minNewTokens: 16, doSample: false } })
    for (let turn = 0; turn < 2; turn++) await warm.send('a warm-up message of about the same length as the others')
    warm.dispose()
    for (const keep of [true, false]) {
      const chat = bot.chat({ generation: { maxNewTokens: 16, minNewTokens: 16, doSample: false, numBeams: 1 } })
      const times: number[] = []
      for (let turn = 0; turn < 10; turn++) {
        if (!keep) chat.dispose()
        const t = performance.now()
        await chat.send(`this is message number ${turn} of a conversation that goes on`)
        times.push(round(performance.now() - t))
      }
      chat.dispose()
      chatTurns[`${dtype}, ${keep ? 'cache kept' : 'cache dropped'}`] = times
    }
    bot.dispose()
  }
  for (const [what, times] of Object.entries(chatTurns))
    rows.push({ what: `chat turns 1..10, ${what}`, 'weights MiB': '-', 'prefill + 1st ms': `${times[0]} .. ${times[9]}`, 'ms/step': '-', 'tokens/s': '-', 'vs fp32 greedy step': `10th/1st ${round(times[9]! / times[0]!)}x` })

  // The larger shapes at q8: tokens/s of greedy decoding, and the memory they take.
  const sizes: Record<string, Record<string, number | string>> = {}
  for (const preset of ['medium', 'large'] as GPT2Preset[]) {
    console.log(`running: ${preset} at q8`)
    const started = performance.now()
    const big = GPT2.withDType(gpt2Config(preset), randomWeights(gpt2Config(preset)), new Map(), 'q8')
    const built = performance.now() - started
    const r = await stepTimes(big, prompt, {}, 16)
    sizes[preset] = { parameters: big.numParameters, weightMiB: round(big.weightBytes / 2 ** 20), quantMemoryMiB: round(quantMemory().byteLength / 2 ** 20), wasmHeapMiB: round(wasmHeapBytes() / 2 ** 20), msPerStep: r.msPerStep, decodeTokensPerSecond: r.decodeTokensPerSecond, quantizeSeconds: round(built / 1000), rssMiB: round(process.memoryUsage().rss / 2 ** 20) }
    rows.push({ what: `greedy q8, ${preset} (${(big.numParameters / 1e6).toFixed(0)}M)`, 'weights MiB': sizes[preset]!.weightMiB!, 'prefill + 1st ms': r.first.medianMs, 'ms/step': r.msPerStep, 'tokens/s': r.decodeTokensPerSecond, 'vs fp32 greedy step': '-' })
    big.dispose()
  }

  const beamOverGreedy = round(results['beam 10 q8, 1 thread']!.msPerStep / results['greedy q8, 1 thread']!.msPerStep)
  printTable(`quantized weights, GPT-2 124M shape, wasm, 64-token prompt, ${NEW_TOKENS} new tokens (beam: 8), ${RUNS} runs each; load times in the prefill column`, rows)
  console.log(`q8 beam-10 step / q8 greedy step: ${beamOverGreedy}x; q8 weights / fp32 weights: ${round(results['greedy q8, 1 thread']!.weightMiB / results['greedy fp32']!.weightMiB)}x`)
  if (tf.memory().numTensors !== 0) console.warn(`${tf.memory().numTensors} tensors left after the benchmark`)
  const result = {
    model: 'GPT-2 124M shape (12 x 768), random weights',
    backend: 'wasm (tfjs one thread; the quantized products on 1 or 2 threads as named)',
    promptTokens: prompt.length,
    results,
    q8BeamStepOverGreedyStep: beamOverGreedy,
    q8WeightBytesOverFp32: round(results['greedy q8, 1 thread']!.weightMiB / results['greedy fp32']!.weightMiB),
    loadQ8: load,
    chatTurnMs: chatTurns,
    chatTenthOverFirst: Object.fromEntries(Object.entries(chatTurns).map(([k, t]) => [k, round(t[9]! / t[0]!)])),
    sizes,
    quantizeQ8InMemory: quantizeOnLoad,
  }
  console.log(`wrote ${writeResult(name, result)}`)
  return result
}
