import { beamSearch } from './beam-search'
import type { CausalLM } from './causal-lm'
import { resolveConfig, type GenerationConfig, type ResolvedConfig } from './config'
import { checkpointStep } from './control'
import { mmiRerank } from './mmi'
import type { GeneratedSequence } from './result'
import { Rng } from '@dialogpt/data'
import { sampleLoop } from './sample-loop'

/**
 * Generates continuations of one or more prompts (token ids; batched prompts are left-padded
 * with a mask). The strategy follows the config as Hugging Face's `generate()` does: greedy,
 * sampling (`doSample`), beam search (`numBeams > 1`), or DialoGPT's MMI reranking (`mmi`).
 *
 * @returns for each prompt, its `numReturnSequences` sequences (generated ids only), best first.
 * @example
 * ```ts
 * const [[best]] = await generate(model, [promptIds], { numBeams: 10, maxNewTokens: 30 })
 * ```
 */
export async function generate(model: CausalLM, prompts: readonly number[] | readonly (readonly number[])[], config: GenerationConfig = {}): Promise<GeneratedSequence[][]> {
  const c = resolveConfig(config)
  const rows = normalizePrompts(prompts)
  if (c.mmi || c.numBeams > 1) {
    // One prompt at a time: each already runs numBeams / numSamples rows.
    const out: GeneratedSequence[][] = []
    for (const p of rows) out.push(c.mmi ? await generateMmi(model, p, c) : await beamSearch(model, p, c))
    return out
  }
  const loop = sampleLoop(model, rows, c, new Rng(c.seed))
  for (;;) {
    const step = await loop.next()
    if (step.done) return step.value
  }
}

async function generateMmi(model: CausalLM, prompt: number[], c: ResolvedConfig): Promise<GeneratedSequence[]> {
  const mmi = c.mmi!
  const eos = c.eosTokenIds[0]!
  const { eosTokenIds, ...rest } = c
  const sampled = resolveConfig({
    ...rest,
    eosTokenId: eosTokenIds,
    mmi: undefined,
    doSample: true,
    numBeams: 1,
    topK: mmi.topK ?? 10,
    topP: mmi.topP ?? 1,
    temperature: mmi.temperature ?? 1,
    numReturnSequences: mmi.numSamples ?? 16,
  })
  const loop = sampleLoop(model, [prompt], sampled, new Rng(c.seed))
  let step = await loop.next()
  while (!step.done) step = await loop.next()
  const hypotheses = step.value[0]!
  const source = mmi.sourceIds ?? (prompt[prompt.length - 1] === eos ? prompt.slice(0, -1) : prompt)
  await checkpointStep(c.signal)
  const { scores, order } = await mmiRerank(mmi.backward, source, hypotheses.map((h) => h.ids), eos, mmi.backwardInput, c.signal)
  return order.slice(0, c.numReturnSequences).map((i) => ({ ...hypotheses[i]!, score: scores[i]! }))
}

export function normalizePrompts(prompts: readonly number[] | readonly (readonly number[])[]): number[][] {
  if (!Array.isArray(prompts) || prompts.length === 0) throw new RangeError('prompts must be a non-empty array of token ids (or of such arrays)')
  const rows = typeof prompts[0] === 'number' ? [prompts as number[]] : (prompts as number[][])
  for (const r of rows) {
    if (!Array.isArray(r) || r.length === 0) throw new RangeError('every prompt needs at least one token id')
    for (const t of r) if (!Number.isInteger(t) || t < 0) throw new RangeError(`prompt token ${t} is not a token id`)
  }
  return rows.map((r) => r.slice())
}
