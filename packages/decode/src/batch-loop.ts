import { padRows, Rng } from '@dialogpt/data'
import type { CausalLM } from './causal-lm'
import { resolveConfig, type GenerationConfig } from './config'
import { deadline, yieldToEventLoop } from './control'
import { argmax, processScores, sampleIndex } from './processors/pipeline'
import type { GeneratedSequence } from './result'

/** One request of a {@link generateBatch}: its prompt, its own settings, and where its tokens go. */
export interface BatchRequest {
  prompt: readonly number[]
  /** Greedy or sampling with one sequence (no beams, no MMI); `signal` stops this request alone. */
  config: GenerationConfig
  /** Called with each token as it is chosen (the final eos too). */
  onToken?: (id: number) => void
}

/** A request's result: its sequence, or the error that ended it (an `AbortError` for its own signal). */
export type BatchResult = { sequence: GeneratedSequence } | { error: Error }

/**
 * Several independent greedy or sampling requests decoded together: each step runs every active
 * row through **one** forward (prompts left-padded, with the attention mask), and each row is then
 * processed and drawn with its own settings and its own seeded generator — what `generate()` does
 * for that request alone, so a batch of one gives `generate()`'s ids exactly, and a larger batch
 * the same up to float rounding of the padded forward. A row that ends (eos, its `maxNewTokens`,
 * its `maxTime`, its `signal`) leaves the batch and its cache rows are dropped; the others go on.
 * This is what a server uses to share one forward among concurrent requests.
 */
export async function generateBatch(model: CausalLM, requests: readonly BatchRequest[]): Promise<BatchResult[]> {
  const rows = requests.map((request) => {
    const c = resolveConfig(request.config)
    if (c.numBeams > 1 || c.mmi || c.numReturnSequences !== 1) throw new RangeError('generateBatch takes greedy and sampling requests of one sequence each')
    if (request.prompt.length + c.maxNewTokens > model.maxPositions)
      throw new RangeError(`prompt (${request.prompt.length}) + maxNewTokens (${c.maxNewTokens}) exceeds the model's ${model.maxPositions} positions`)
    return { c, ids: [...request.prompt], generated: 0, rng: new Rng(c.seed), outOfTime: deadline(c.maxTime), finishedBy: 'max_length' as GeneratedSequence['finishedBy'], error: undefined as Error | undefined, onToken: request.onToken }
  })
  const { rows: padded, mask } = padRows(
    rows.map((r) => r.ids),
    { side: 'left', value: rows[0]?.c.padTokenId ?? 0 },
  )
  let active = rows.map((_, i) => i)
  let input = padded.map((r) => r.slice())
  let masks = mask.map((m) => m.slice())
  let cache: unknown
  const V = model.vocabSize
  try {
    while (active.length > 0) {
      await yieldToEventLoop()
      const out = model.step(input, cache, masks)
      if (cache !== undefined) model.disposeCache(cache)
      cache = out.cache
      let logits: Float32Array
      try {
        logits = (await out.logits.data()) as Float32Array
      } finally {
        out.logits.dispose()
      }
      const keep: number[] = []
      const tokens: number[] = []
      active.forEach((index, k) => {
        const row = rows[index]!
        if (row.c.signal?.aborted) {
          row.error = Object.assign(new Error('generation aborted'), { name: 'AbortError' })
          return
        }
        const scores = Float32Array.from(logits.subarray(k * V, (k + 1) * V))
        processScores(scores, row.ids, row.generated, row.c, row.c.doSample)
        const token = row.c.doSample ? sampleIndex(scores, row.rng.next()) : argmax(scores)
        row.ids.push(token)
        row.generated++
        row.onToken?.(token)
        if (row.c.eosTokenIds.includes(token)) row.finishedBy = 'eos'
        else if (row.generated >= row.c.maxNewTokens) row.finishedBy = 'max_length'
        else if (row.outOfTime()) row.finishedBy = 'max_time'
        else {
          keep.push(k)
          tokens.push(token)
        }
      })
      if (keep.length === 0) break
      if (keep.length < active.length) {
        const reordered = model.reorderCache(cache, keep)
        model.disposeCache(cache)
        cache = reordered
      }
      masks = keep.map((k) => [...masks[k]!, 1])
      active = keep.map((k) => active[k]!)
      input = tokens.map((t) => [t])
    }
  } finally {
    if (cache !== undefined) model.disposeCache(cache)
  }
  return rows.map((row, i) =>
    row.error ? { error: row.error } : { sequence: { ids: row.ids.slice(requests[i]!.prompt.length), score: null, finishedBy: row.finishedBy } },
  )
}
