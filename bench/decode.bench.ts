// Decoding benchmark at the 124M shape (random weights, wasm): greedy, beam search with 10 beams,
// and MMI with 16 samples reranked by a backward model of the same shape. Each strategy is also run
// for one new token (the prompt's prefill and the first choice), so the per-step time excludes the
// prefill: step = (time for N tokens - time for 1) / (N - 1). Baseline in the same process: greedy
// with the tied head computed from wte itself (no cached transposed copy).
import * as tf from '@tensorflow/tfjs-core'
import { causalLM } from '@dialogpt/core'
import { generate, type GenerationConfig } from '@dialogpt/decode'
import { measure, printTable, round, writeResult, type Timing } from './lib'
import { randomSmall, setBackend, useWasmKernels } from './model-shapes'

export const name = 'decode'

const RUNS = 5

export async function run(): Promise<Record<string, unknown>> {
  await setBackend('wasm')
  const forward = randomSmall()
  const backward = randomSmall()
  const plain = randomSmall()
  const prompt = Array.from({ length: 64 }, (_, i) => (i * 104729) % 50000)
  const cases: { what: string; model: typeof forward; newTokens: number; config: GenerationConfig; perStep: boolean; headCache?: false }[] = [
    { what: 'greedy, head cache off (baseline)', model: plain, newTokens: 64, config: { maxNewTokens: 64, eosTokenId: -1 }, perStep: true, headCache: false },
    { what: 'greedy', model: forward, newTokens: 64, config: { maxNewTokens: 64, eosTokenId: -1 }, perStep: true },
    { what: 'beam 10', model: forward, newTokens: 16, config: { maxNewTokens: 16, numBeams: 10, eosTokenId: -1 }, perStep: true },
    { what: 'MMI, 16 samples x 20 tokens + backward scoring', model: forward, newTokens: 20, config: { maxNewTokens: 20, seed: 1, mmi: { backward: causalLM(backward), numSamples: 16, topK: 10 } }, perStep: false },
  ]
  const rows: Record<string, string | number>[] = []
  const results: Record<string, { full: Timing; first?: Timing; newTokens: number; msPerStep?: number; tokensPerSecond: number; decodeTokensPerSecond?: number }> = {}
  for (const c of cases) {
    console.log(`running: ${c.what}, ${c.newTokens} new tokens`)
    // MMI's 20 s runs need no warm-up beyond the greedy and beam runs before them.
    useWasmKernels({ headCache: c.headCache ?? true })
    const lm = causalLM(c.model)
    const full = await measure(() => generate(lm, prompt, c.config), RUNS, c.perStep ? 1 : 0)
    const first = c.perStep ? await measure(() => generate(lm, prompt, { ...c.config, maxNewTokens: 1 }), RUNS, 0) : undefined
    useWasmKernels()
    const msPerStep = first ? round((full.medianMs - first.medianMs) / (c.newTokens - 1)) : undefined
    results[c.what] = {
      full,
      ...(first ? { first } : {}),
      newTokens: c.newTokens,
      ...(msPerStep !== undefined ? { msPerStep, decodeTokensPerSecond: round(1000 / msPerStep) } : {}),
      tokensPerSecond: round((c.newTokens / full.medianMs) * 1000),
    }
    rows.push({
      what: `${c.what}, ${c.newTokens} new tokens`,
      'median ms': full.medianMs,
      'min ms': full.minMs,
      'max ms': full.maxMs,
      'prefill + 1st ms': first?.medianMs ?? '-',
      'ms/step after prefill': msPerStep ?? '-',
      'tokens/s incl. prefill': round((c.newTokens / full.medianMs) * 1000),
    })
  }
  plain.dispose()
  forward.dispose()
  backward.dispose()
  const greedy = results.greedy!.msPerStep!
  const beamOverGreedy = round(results['beam 10']!.msPerStep! / greedy)
  const headCacheSpeedup = round(results['greedy, head cache off (baseline)']!.msPerStep! / greedy)
  printTable(`decode, GPT-2 124M shape, wasm, 64-token prompt, ${RUNS} runs each after 1 warm-up (MMI: none), eos disabled so every run generates the full length`, rows)
  console.log(`beam-10 step / greedy step: ${beamOverGreedy}x; greedy step with the head cache vs without: ${headCacheSpeedup}x faster`)
  if (tf.memory().numTensors !== 0) console.warn(`${tf.memory().numTensors} tensors left after the benchmark`)
  const result = { model: 'GPT-2 124M shape (12 x 768), random weights', backend: 'wasm', promptTokens: prompt.length, results, beamStepOverGreedyStep: beamOverGreedy, greedySpeedupFromHeadCache: headCacheSpeedup }
  console.log(`wrote ${writeResult(name, result)}`)
  return result
}
