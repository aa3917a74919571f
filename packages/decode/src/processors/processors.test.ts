import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { resolveConfig } from '../config'
import { logSoftmax, processScores } from './pipeline'
import { applyMinNewTokens, applyRepetitionPenalty, applyTemperature, applyTopK, applyTopP, bannedNgramTokens, applyBadWords } from './processors'

describeShared('processors and warpers against the decode goldens', ['fixtures', 'decode-golden', 'golden.json'], () => {
  /* eslint-disable @typescript-eslint/no-explicit-any -- fixture data */
  const golden: any = JSON.parse(readFileSync(sharedPath('fixtures', 'decode-golden', 'golden.json'), 'utf8'))
  const raw = readFileSync(sharedPath('fixtures', 'decode-golden', 'warper_logits.f32'))
  const V = 50257
  const vector = (i: number) => new Float32Array(raw.buffer.slice(raw.byteOffset + i * V * 4, raw.byteOffset + (i + 1) * V * 4))

  const chains: [string, (s: Float64Array) => void][] = [
    ['top_k_10', (s) => applyTopK(s, 10)],
    ['top_p_0.9', (s) => applyTopP(s, 0.9)],
    ['temperature_0.7+top_k_50+top_p_0.95', (s) => (applyTemperature(s, 0.7), applyTopK(s, 50), applyTopP(s, 0.95))],
  ]
  it.each<[number, string, (s: Float64Array) => void, any]>(golden.warpers.cases.flatMap((c: { vector_index: number }) => chains.map(([name, f]) => [c.vector_index, name, f, c])))('vector %i, %s: the same survivors and renormalised log-probs', (i, name, chain, c) => {
    const want = (c as Record<string, { ids: number[]; logprobs: number[]; count: number }>)[name as string]!
    const scores = Float64Array.from(vector(i as number))
    ;(chain as (s: Float64Array) => void)(scores)
    const survivors = [...scores.keys()].filter((id) => scores[id] !== -Infinity).sort((a, b) => scores[b]! - scores[a]! || a - b)
    expect(survivors.length).toBe(want.count)
    expect(survivors).toEqual(want.ids)
    const lp = logSoftmax(scores)
    survivors.forEach((id, k) => expect(Math.abs(lp[id]! - want.logprobs[k]!)).toBeLessThan(1e-5))
  })

  it('repetition penalty: every distinct id once, negatives multiplied, positives divided', () => {
    const u = golden.processors_unit.repetition_penalty
    const scores = Float64Array.from(vector(u.vector_index))
    applyRepetitionPenalty(scores, u.input_ids, u.penalty)
    u.ids.forEach((id: number, k: number) => expect(Math.abs(scores[id]! - u.after[k])).toBeLessThan(1e-6))
  })

  it('no-repeat n-gram bans exactly the listed ids', () => {
    for (const u of golden.processors_unit.no_repeat_ngram) expect([...new Set(bannedNgramTokens(u.input_ids, u.ngram_size))].sort((a, b) => a - b)).toEqual(u.banned_ids)
  })

  it('min new tokens masks eos only until enough tokens are generated', () => {
    for (const u of golden.processors_unit.min_new_tokens) {
      const scores = new Float64Array(V)
      applyMinNewTokens(scores, u.generated_so_far, u.min_new_tokens, [u.eos_token_id])
      expect(scores[u.eos_token_id] === -Infinity).toBe(u.eos_masked)
    }
  })
})

it('bad words: single tokens always, longer entries only after their prefix; [eos] is ignored', () => {
  const s = new Float64Array(10)
  applyBadWords(s, [1, 2, 3], [[5], [2, 3, 7], [9, 8], [4]], [4])
  expect([...s.keys()].filter((i) => s[i] === -Infinity)).toEqual([5, 7])
})

it('applies the pipeline in Hugging Face order (penalty before temperature)', () => {
  const c = resolveConfig({ doSample: true, repetitionPenalty: 2, temperature: 0.5, topK: 0 })
  const s = Float64Array.from([4, -4, 1])
  processScores(s, [0, 1], 0, c, true)
  expect(Array.from(s)).toEqual([4, -16, 2])
})
