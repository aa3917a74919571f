import type { CausalLM } from './causal-lm'
import { resolveConfig, type GenerationConfig } from './config'
import { normalizePrompts } from './generate'
import { Rng } from '@dialogpt/data'
import { sampleLoop } from './sample-loop'

/**
 * Streams the generated token ids of one prompt as they are produced (greedy or sampling; beam
 * search and MMI only know their answer at the end, so use `generate` for them). The final eos,
 * when generation ends on one, is yielded too. Breaking out of the loop, an abort (`signal`,
 * which makes the iteration throw an `AbortError` within one step) or `maxTime` stop generation
 * and free its tensors. The ids are exactly those `generate` returns for the same config.
 */
export async function* stream(model: CausalLM, prompt: readonly number[], config: GenerationConfig = {}): AsyncGenerator<number, void> {
  const c = resolveConfig(config)
  if (c.numBeams > 1 || c.mmi) throw new RangeError('stream() supports greedy search and sampling; use generate() for beam search and MMI')
  if (c.numReturnSequences !== 1) throw new RangeError('stream() produces one sequence')
  const loop = sampleLoop(model, normalizePrompts(prompt), c, new Rng(c.seed))
  try {
    for (;;) {
      const step = await loop.next()
      if (step.done) return
      yield step.value.tokens[0]!
      if (step.value.finished[0]) return
    }
  } finally {
    await loop.return(undefined as never)
  }
}

/**
 * {@link stream} as text: yields only complete UTF-8 text (a character split over several byte
 * tokens is held back until it is whole), and leaves out the eos that ends the reply.
 *
 * @param decode the tokenizer's decode (ids → text), e.g. `GPT2Tokenizer.decode`
 */
export async function* streamText(model: CausalLM, prompt: readonly number[], decode: (ids: number[]) => string, config: GenerationConfig = {}): AsyncGenerator<string, void> {
  const eos = resolveConfig(config).eosTokenIds
  const ids: number[] = []
  let emitted = ''
  for await (const id of stream(model, prompt, config)) {
    if (eos.includes(id)) break
    ids.push(id)
    const text = decode(ids)
    if (text.endsWith('\uFFFD')) continue
    if (text.length > emitted.length) {
      yield text.slice(emitted.length)
      emitted = text
    }
  }
  const text = decode(ids)
  if (text.length > emitted.length) yield text.slice(emitted.length)
}
