import * as tf from '@tensorflow/tfjs-core'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { turnsToFeatures, type Feature } from '@dialogpt/data'
import { describeShared, sharedPath } from '../../../../test/shared'
import { GPT2_PRESETS, gpt2Config } from '../model/config'
import { disposeCache, GPT2, type KVCache } from '../model/gpt2'
import { useBackend } from '../testing/tiny'
import { exampleLosses } from '../train/objective'
import { Trainer } from '../train/trainer'

// Quantization quality on a trained model: a small GPT-2 (2 layers of 64) trained here on
// Topical-Chat, then held as q8 and f16. Held-out perplexity and greedy continuations are compared
// with the fp32 model's. The figures are printed and quoted in the core README. To train in a
// minute, the vocabulary is cut to the 510 most frequent GPT-2 tokens of the training dialogues
// (the rest become one unknown token; 511 is end-of-text): a model with GPT-2's 50,257-token head
// learns too little in that time and its greedy continuations all collapse to one loop.

const VOCAB = 512
const STEPS = 200
const UNKNOWN = 510
const EOS = 511

function dialogues(file: string, from: number, count: number): Feature[] {
  const data = JSON.parse(readFileSync(sharedPath('data', 'topical-chat', file), 'utf8')) as Record<string, { content: { message: string }[] }>
  return Object.values(data)
    .slice(from, from + count)
    .flatMap((d) => turnsToFeatures(d.content.map((t) => ({ text: t.message, weight: 1 })), { maxLength: 64 }))
}

/** The small vocabulary: the 510 most frequent token ids of `features` → 0…509; others → UNKNOWN; GPT-2's end-of-text → EOS. */
function smallVocabulary(features: Feature[]): (id: number) => number {
  const counts = new Map<number, number>()
  for (const f of features) for (const id of f.inputIds) if (id !== 50256) counts.set(id, (counts.get(id) ?? 0) + 1)
  const kept = new Map([...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, UNKNOWN).map(([id], i) => [id, i]))
  return (id) => (id === 50256 ? EOS : (kept.get(id) ?? UNKNOWN))
}

function remap(features: Feature[], map: (id: number) => number): Feature[] {
  return features.map((f) => ({ ...f, inputIds: f.inputIds.map(map), labels: f.labels.map((l) => (l < 0 ? l : map(l))) }))
}

/** Token-level perplexity over `examples`: exp(total NLL / labelled tokens). */
async function perplexity(model: GPT2, examples: Feature[]): Promise<number> {
  let sum = 0
  let count = 0
  for (const f of examples) {
    const { sums, counts } = await exampleLosses(model, [f.inputIds], [f.labels])
    sum += sums[0]!
    count += counts[0]!
  }
  return Math.exp(sum / count)
}

/** `n` greedy tokens after `prompt`, with the KV cache (no end-of-text stop: every run is n long). */
function greedy(model: GPT2, prompt: number[], n: number): number[] {
  const out: number[] = []
  let cache: KVCache | undefined
  let input = prompt
  for (let i = 0; i < n; i++) {
    const step = model.forward([input], { cache, lastOnly: true })
    disposeCache(cache)
    cache = step.cache
    const next = tf.tidy(() => tf.argMax(tf.reshape(step.logits, [-1])).dataSync()[0]!)
    step.logits.dispose()
    out.push(next)
    input = [next]
  }
  disposeCache(cache)
  return out
}

describeShared('quantization quality on a GPT-2 trained on Topical-Chat', ['data', 'topical-chat'], () => {
  let fp32: GPT2
  let vocabulary: (id: number) => number
  beforeAll(async () => {
    await useBackend('wasm')
    const train = dialogues('valid_freq.json', 0, 150)
    vocabulary = smallVocabulary(train)
    fp32 = GPT2.random(gpt2Config({ ...GPT2_PRESETS.tiny, n_positions: 128, vocab_size: VOCAB, bos_token_id: EOS, eos_token_id: EOS }), 21)
    const trainer = new Trainer(fp32, { train: remap(train, vocabulary), learningRate: 3e-3, schedule: 'linear', warmupSteps: 5, totalSteps: STEPS, batchSize: 8, maxLength: 64 })
    await trainer.fit({ steps: STEPS })
    trainer.dispose()
  }, 600_000)
  afterAll(() => fp32.dispose())

  it('q8 keeps held-out perplexity within 1% and f16 within 0.1%; greedy continuations of 64 tokens match fp32 on ≥ 18/20 prompts (q8) and 20/20 (f16)', async () => {
    const heldOut = remap(dialogues('test_freq.json', 0, 12), vocabulary)
    const prompts = remap(dialogues('test_freq.json', 12, 40), vocabulary)
      .map((f) => f.inputIds.slice(0, f.inputIds.indexOf(EOS) + 1))
      .filter((p) => p.length >= 4 && p.length <= 40)
      .slice(0, 20)
    expect(prompts).toHaveLength(20)
    const base = await perplexity(fp32, heldOut)
    const baseGreedy = prompts.map((p) => greedy(fp32, p, 64))
    // The trained model is not degenerate: its continuations differ between prompts.
    expect(new Set(baseGreedy.map((g) => g.join(' '))).size).toBeGreaterThan(5)
    const lines = [`fp32: held-out perplexity ${base.toFixed(3)} over ${heldOut.length} examples`]
    const weights = await fp32.weights()
    for (const [dtype, pplTolerance, minSame] of [['q8', 0.01, 18], ['f16', 0.001, 20]] as const) {
      const before = tf.memory().numTensors
      const q = GPT2.withDType(fp32.config, new Map(weights), new Map(), dtype)
      const ppl = await perplexity(q, heldOut)
      const same = prompts.filter((p, i) => greedy(q, p, 64).join(' ') === baseGreedy[i]!.join(' ')).length
      q.dispose()
      expect(tf.memory().numTensors).toBe(before)
      const change = ppl / base - 1
      lines.push(`${dtype}: held-out perplexity ${ppl.toFixed(3)} (${change >= 0 ? '+' : ''}${(100 * change).toFixed(3)}%), greedy 64-token continuations identical to fp32 on ${same}/20 prompts`)
      expect(Math.abs(change)).toBeLessThanOrEqual(pplTolerance)
      expect(same).toBeGreaterThanOrEqual(minSame)
    }
    console.log(`quantization quality (GPT-2 2 × 64, 512-token vocabulary, trained ${STEPS} steps on Topical-Chat):\n  ${lines.join('\n  ')}`)
  }, 600_000)
})
