import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import { generate, mmiRerank, stream, type GenerationConfig } from '@dialogpt/decode'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../test/shared'
import { causalLM, type GPT2Decoding } from './model/causal-lm'
import type { GPT2 } from './model/gpt2'
import { loadTiny, useBackend } from './testing/tiny'

/** Hugging Face generate() kwargs → our GenerationConfig. */
function fromKwargs(k: Record<string, unknown>): GenerationConfig {
  return {
    doSample: k.do_sample as boolean | undefined,
    maxNewTokens: k.max_new_tokens as number | undefined,
    minNewTokens: k.min_new_tokens as number | undefined,
    numBeams: k.num_beams as number | undefined,
    lengthPenalty: k.length_penalty as number | undefined,
    earlyStopping: k.early_stopping as boolean | 'never' | undefined,
    numReturnSequences: k.num_return_sequences as number | undefined,
    repetitionPenalty: k.repetition_penalty as number | undefined,
    noRepeatNgramSize: k.no_repeat_ngram_size as number | undefined,
    eosTokenId: k.eos_token_id as number | undefined,
    padTokenId: k.pad_token_id as number | undefined,
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- golden fixture data */
describeShared('@dialogpt/decode through GPT2 against the decode goldens (HF generate semantics)', ['fixtures', 'decode-golden', 'golden.json'], () => {
  let model: GPT2
  let lm: GPT2Decoding
  const golden: any = JSON.parse(readFileSync(sharedPath('fixtures', 'decode-golden', 'golden.json'), 'utf8'))
  const prompt = (name: string): number[] => golden.prompts.find((p: { name: string }) => p.name === name).ids
  beforeAll(async () => {
    await useBackend(process.env.TFJS_BACKEND ?? 'wasm')
    model = loadTiny()
    lm = causalLM(model)
  })
  afterAll(() => model?.dispose())

  it.each<[string, any]>(golden.greedy.map((c: { id: string }) => [c.id, c]))('%s', async (_id, c) => {
    const out = (await generate(lm, prompt(c.prompt), { ...fromKwargs(c.config), outputScores: true }))[0]![0]
    expect(out!.ids).toEqual(c.generated_ids)
    expect(out!.finishedBy).toBe(c.finished_by)
    // Hugging Face's output_scores: the processed score, raw logit and log-probs of each chosen token.
    out!.steps!.forEach((step, t) => {
      const want = c.steps[t]
      expect(step.token).toBe(want.token)
      expect(Math.abs(step.processedScore - want.processed_score), `processed_score at step ${t}`).toBeLessThan(1e-4)
      expect(Math.abs(step.rawLogit - want.raw_logit)).toBeLessThan(1e-4)
      expect(Math.abs(step.logprobProcessed - want.logprob_processed)).toBeLessThan(1e-4)
      expect(Math.abs(step.logprobRaw - want.logprob_raw)).toBeLessThan(1e-4)
    })
    expect(out!.steps!.length).toBe(c.steps.length)
  })

  it.each<[string, any]>(golden.beam.map((c: { id: string }) => [c.id, c]))('%s', async (_id, c) => {
    const returned = (await generate(lm, prompt(c.prompt), fromKwargs(c.config)))[0]
    expect(returned!.map((r) => r.ids)).toEqual(c.returned.map((r: { generated_ids: number[] }) => r.generated_ids))
    returned!.forEach((r, k) => {
      expect(Math.abs(r.score! - c.returned[k].sequence_score), `score of beam ${k}`).toBeLessThan(2e-4)
      expect(r.finishedBy).toBe(c.returned[k].finished_by)
    })
  })

  it('scores MMI hypotheses with the backward convention and picks the golden winner', async () => {
    const m = golden.mmi
    const variant = m.variants[0]
    const { scores, best } = await mmiRerank(lm, m.source.ids, m.hypotheses.map((h: { ids: number[] }) => h.ids))
    variant.results.forEach((r: { hypothesis_index: number; mean_nll: number }) => expect(Math.abs(scores[r.hypothesis_index]! - r.mean_nll)).toBeLessThan(1e-4))
    expect(best).toBe(3)
    // The convention is an option: scoring the source without the final eos (also recorded in the golden).
    const sourceOnly = await mmiRerank(lm, m.source.ids, m.hypotheses.map((h: { ids: number[] }) => h.ids), 50256, (hyp, src, eos) => ({ context: [...hyp, eos], target: [...src] }))
    variant.results.forEach((r: { hypothesis_index: number; mean_nll_source_only: number }) =>
      expect(Math.abs(sourceOnly.scores[r.hypothesis_index]! - r.mean_nll_source_only)).toBeLessThan(1e-4),
    )
  })

  it('scores each distinct MMI hypothesis once, and a repeated one gets the same score', async () => {
    const m = golden.mmi
    const hyps: number[][] = m.hypotheses.map((h: { ids: number[] }) => h.ids)
    const repeated = [hyps[1]!, hyps[3]!, hyps[1]!, hyps[0]!, hyps[3]!, hyps[3]!]
    const scoredRows: number[] = []
    const counting = Object.create(lm) as GPT2Decoding
    counting.score = (contexts, targets) => {
      scoredRows.push(contexts.length)
      return lm.score(contexts, targets)
    }
    const { scores, best } = await mmiRerank(counting, m.source.ids, repeated)
    expect(scoredRows).toEqual([3])
    const want = (i: number) => m.variants[0].results.find((r: { hypothesis_index: number }) => r.hypothesis_index === i).mean_nll
    ;[1, 3, 1, 0, 3, 3].forEach((h, k) => expect(Math.abs(scores[k]! - want(h))).toBeLessThan(1e-4))
    expect(best).toBe(1) // the first copy of golden winner 3
  })

  it('streams exactly the ids generate() returns, and a sampled stream is reproducible by seed', async () => {
    const config: GenerationConfig = { maxNewTokens: 15, doSample: true, topK: 10, seed: 1234 }
    const streamed: number[] = []
    for await (const id of stream(lm, prompt('p2'), config)) streamed.push(id)
    const out = (await generate(lm, prompt('p2'), config))[0]![0]
    expect(streamed).toEqual(out!.ids)
    const again = (await generate(lm, prompt('p2'), config))[0]![0]
    expect(again!.ids).toEqual(out!.ids)
    const other = (await generate(lm, prompt('p2'), { ...config, seed: 99 }))[0]![0]
    expect(other!.ids).not.toEqual(out!.ids)
  })

  it('stops within one step of an abort, mid-stream, and leaks no tensor', async () => {
    const start = tf.memory().numTensors
    const controller = new AbortController()
    const got: number[] = []
    const run = async () => {
      for await (const id of stream(lm, prompt('p0'), { maxNewTokens: 40, signal: controller.signal })) {
        got.push(id)
        if (got.length === 3) controller.abort()
      }
    }
    await expect(run()).rejects.toMatchObject({ name: 'AbortError' })
    expect(got.length).toBe(3)
    await expect(generate(lm, prompt('p0'), { numBeams: 4, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
    expect(tf.memory().numTensors).toBe(start)
  })

  it('leaks no tensor over 100 calls of each strategy, aborted ones included', async () => {
    const start = tf.memory().numTensors
    const p = prompt('p1')
    const strategies: GenerationConfig[] = [
      { maxNewTokens: 3 },
      { maxNewTokens: 3, doSample: true, topP: 0.9, seed: 1 },
      { maxNewTokens: 3, numBeams: 3 },
      { maxNewTokens: 3, mmi: { backward: lm, numSamples: 2 } },
    ]
    for (const config of strategies)
      for (let i = 0; i < 100; i++) {
        const controller = new AbortController()
        if (i % 10 === 0) controller.abort()
        await generate(lm, p, { ...config, signal: controller.signal }).catch((e: Error) => expect(e.name).toBe('AbortError'))
      }
    expect(tf.memory().numTensors).toBe(start)
  })

  it('reads each prompt once for its sampled rows, and samples what the prompt repeated as separate rows gives', async () => {
    const prompts = [prompt('p0'), prompt('p2')]
    const config = { maxNewTokens: 6, doSample: true, topK: 20, seed: 11 }
    const firstStepRows: number[] = []
    const counting = Object.create(lm) as GPT2Decoding
    let calls = 0
    counting.step = (ids, cache, mask) => {
      if (calls++ === 0) firstStepRows.push(ids.length)
      return lm.step(ids, cache, mask)
    }
    await generate(lm, prompts[0]!, { maxNewTokens: 1 }) // builds the head cache (one tensor kept)
    const start = tf.memory().numTensors
    const shared = await generate(counting, prompts, { ...config, numReturnSequences: 3 })
    expect(tf.memory().numTensors).toBe(start)
    expect(firstStepRows).toEqual([2])
    // The same rows in the same order, but as six separate prompts: each is read on its own.
    const repeated = await generate(lm, prompts.flatMap((p) => [p, p, p]), config)
    expect(shared.flat().map((s) => s.ids)).toEqual(repeated.flat().map((s) => s.ids))
    expect(new Set(shared[0]!.map((s) => s.ids.join(','))).size).toBeGreaterThan(1)
  })

  it('batches left-padded prompts and gives each the result it gets alone', async () => {
    const prompts = [prompt('p0'), prompt('p2')]
    const batched = await generate(lm, prompts, { maxNewTokens: 8 })
    for (let i = 0; i < prompts.length; i++) expect(batched[i]![0]!.ids).toEqual((await generate(lm, prompts[i]!, { maxNewTokens: 8 }))[0]![0]!.ids)
  })
})
