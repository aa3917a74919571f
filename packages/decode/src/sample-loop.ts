import type { CausalLM } from './causal-lm'
import type { ResolvedConfig } from './config'
import { checkpointStep, deadline, throwIfAborted } from './control'
import { padRows } from '@dialogpt/data'
import { argmax, logSoftmax, processScores, sampleIndex } from './processors/pipeline'
import type { GeneratedSequence, StepScores } from './result'
import type { Rng } from '@dialogpt/data'

/** One decoding step of every row. */
export interface Step {
  /** The token appended to each row (the pad id for rows that had already finished). */
  tokens: number[]
  /** Rows that are done after this step. */
  finished: boolean[]
}

/**
 * Greedy search and sampling, Hugging Face's `_sample`: prompts are left-padded, each step
 * processes every row's scores and appends the argmax (or a draw); a row finishes at an eos id
 * or at max length, and then receives padding. With sampling each prompt is repeated
 * `numReturnSequences` times (adjacent rows). Yields every step; returns the sequences, grouped
 * by prompt. The cache is freed however the loop ends (completion, abort, or the consumer
 * leaving early).
 */
export async function* sampleLoop(model: CausalLM, prompts: readonly (readonly number[])[], c: ResolvedConfig, rng: Rng): AsyncGenerator<Step, GeneratedSequence[][]> {
  const perPrompt = c.doSample ? c.numReturnSequences : 1
  const rows = prompts.flatMap((p) => new Array<readonly number[]>(perPrompt).fill(p))
  const { rows: ids, mask, length: P } = padRows(rows, { side: 'left', value: c.padTokenId })
  const maxLength = P + c.maxNewTokens
  if (maxLength > model.maxPositions) throw new RangeError(`prompt (${P}) + maxNewTokens (${c.maxNewTokens}) exceeds the model's ${model.maxPositions} positions`)
  const V = model.vocabSize
  const finished = rows.map(() => false)
  const finishedBy: GeneratedSequence['finishedBy'][] = rows.map(() => 'max_length')
  const outOfTime = deadline(c.maxTime)
  const steps: StepScores[][] = rows.map(() => [])
  let cache: unknown
  let input: number[][] = ids.map((r) => r.slice())
  /** Each row's prompt: the row of the first step's logits (and cache) that belongs to it. */
  const promptOfRow = rows.map((_, r) => Math.floor(r / perPrompt))
  const identity = rows.map((_, r) => r)
  try {
    for (;;) {
      // Each step starts with a turn of the event loop: timers (an AbortSignal.timeout) can fire.
      await checkpointStep(c.signal)
      // The rows of one prompt are identical until the first draw: the prompt is read once and
      // its cache copied to each of its rows (16 MMI samples would otherwise read it 16 times).
      const shared = cache === undefined && perPrompt > 1
      const stepRows = shared ? prompts.map((_, i) => i * perPrompt) : identity
      const out = model.step(
        stepRows.map((r) => input[r]!),
        cache,
        stepRows.map((r) => mask[r]!),
      )
      if (cache !== undefined) model.disposeCache(cache)
      cache = out.cache
      if (shared) {
        const expanded = model.reorderCache(out.cache, promptOfRow)
        model.disposeCache(out.cache)
        cache = expanded
      }
      const logitsRows = shared ? promptOfRow : identity
      let logits: Float32Array
      try {
        logits = (await out.logits.data()) as Float32Array
      } finally {
        out.logits.dispose()
      }
      throwIfAborted(c.signal)
      const tokens = rows.map((_, r) => {
        if (finished[r]) return c.padTokenId
        const at = logitsRows[r]!
        const raw = logits.subarray(at * V, (at + 1) * V)
        const scores = Float32Array.from(raw)
        processScores(scores, ids[r]!, ids[r]!.length - P, c, c.doSample)
        const token = c.doSample ? sampleIndex(scores, rng.next()) : argmax(scores)
        if (c.outputScores)
          steps[r]!.push({ token, processedScore: scores[token]!, rawLogit: raw[token]!, logprobProcessed: logSoftmax(scores)[token]!, logprobRaw: logSoftmax(raw)[token]! })
        return token
      })
      tokens.forEach((t, r) => {
        ids[r]!.push(t)
        mask[r]!.push(1)
        if (finished[r]) return
        if (c.eosTokenIds.includes(t)) [finished[r], finishedBy[r]] = [true, 'eos']
        else if (ids[r]!.length >= maxLength) [finished[r], finishedBy[r]] = [true, 'max_length']
      })
      const timeUp = !finished.every(Boolean) && outOfTime()
      if (timeUp) finished.forEach((f, r) => f || ((finished[r] = true), (finishedBy[r] = 'max_time')))
      yield { tokens, finished: finished.slice() }
      if (finished.every(Boolean)) break
      input = tokens.map((t) => [t])
    }
  } finally {
    if (cache !== undefined) model.disposeCache(cache)
  }
  const sequences = rows.map((_, r): GeneratedSequence => {
    const generated = ids[r]!.slice(P)
    const end = generated.findIndex((t) => c.eosTokenIds.includes(t))
    const kept = end >= 0 ? generated.slice(0, end + 1) : generated
    return { ids: kept, score: null, finishedBy: finishedBy[r]!, ...(c.outputScores ? { steps: steps[r]!.slice(0, kept.length) } : {}) }
  })
  return prompts.map((_, i) => sequences.slice(i * perPrompt, (i + 1) * perPrompt))
}
