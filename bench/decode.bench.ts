// Decoding benchmark at the 124M shape (random weights, wasm): greedy, beam search with 10 beams,
// and MMI with 16 samples reranked by a backward model of the same shape.
import * as tf from '@tensorflow/tfjs-core'
import { generate } from '@dialogpt/decode'
import { measure, printTable, round, writeResult } from './lib'
import { randomSmall, setBackend } from './model-shapes'

export const name = 'decode'

export async function run(): Promise<Record<string, unknown>> {
  await setBackend('wasm')
  const forward = randomSmall()
  const backward = randomSmall()
  const prompt = Array.from({ length: 64 }, (_, i) => (i * 104729) % 50000)
  const cases = [
    { what: 'greedy, 64 new tokens', newTokens: 64, runs: 5, config: { maxNewTokens: 64, eosTokenId: -1 } },
    { what: 'beam 10, 16 new tokens', newTokens: 16, runs: 5, config: { maxNewTokens: 16, numBeams: 10, eosTokenId: -1 } },
    { what: 'MMI, 16 samples x 20 tokens + backward scoring', newTokens: 20, runs: 3, config: { maxNewTokens: 20, seed: 1, mmi: { backward, numSamples: 16, topK: 10 } } },
  ]
  const rows: Record<string, string | number>[] = []
  const results: Record<string, unknown> = {}
  // Baseline in the same process: greedy with the tied head computed from wte itself (no cached
  // transposed copy), as before the head cache existed.
  {
    console.log('running: greedy, 64 new tokens, head cache off (baseline)')
    const plain = randomSmall()
    plain.headCache = false
    const t = await measure(() => generate(plain, prompt, { maxNewTokens: 64, eosTokenId: -1 }), 3, 0)
    plain.dispose()
    results['greedy, head cache off'] = { ...t, newTokens: 64, tokensPerSecond: round((64 / t.medianMs) * 1000), msPerStep: round(t.medianMs / 64) }
    rows.push({ what: 'greedy, 64 new tokens, head cache off', 'median ms': t.medianMs, 'min ms': t.minMs, 'max ms': t.maxMs, 'ms/step': round(t.medianMs / 64), 'tokens/s': round((64 / t.medianMs) * 1000) })
  }
  for (const c of cases) {
    console.log(`running: ${c.what}`)
    const t = await measure(() => generate(forward, prompt, c.config), c.runs, 0)
    const perResponse = t.medianMs
    results[c.what] = { ...t, newTokens: c.newTokens, tokensPerSecond: round((c.newTokens / perResponse) * 1000), msPerStep: round(perResponse / c.newTokens) }
    rows.push({ what: c.what, 'median ms': t.medianMs, 'min ms': t.minMs, 'max ms': t.maxMs, 'ms/step': round(perResponse / c.newTokens), 'tokens/s': round((c.newTokens / perResponse) * 1000) })
  }
  const greedyStep = (results['greedy, 64 new tokens'] as { msPerStep: number }).msPerStep
  const beamStep = (results['beam 10, 16 new tokens'] as { msPerStep: number }).msPerStep
  results.beamStepOverGreedyStep = round(beamStep / greedyStep)
  results.greedySpeedupFromHeadCache = round((results['greedy, head cache off'] as { msPerStep: number }).msPerStep / greedyStep)
  printTable('decode, GPT-2 124M shape, wasm, 64-token prompt (eos disabled for greedy and beam so every run generates the full length)', rows)
  console.log(`beam-10 step / greedy step: ${round(beamStep / greedyStep)}x; greedy with the head cache vs without: ${results.greedySpeedupFromHeadCache as number}x faster`)
  forward.dispose()
  backward.dispose()
  if (tf.memory().numTensors !== 0) console.warn(`${tf.memory().numTensors} tensors left after the benchmark`)
  const result = { model: 'GPT-2 124M shape (12 x 768), random weights', backend: 'wasm', promptTokens: prompt.length, results }
  console.log(`wrote ${writeResult(name, result)}`)
  return result
}
