import { EOS_TOKEN_ID } from '@dialogpt/data'
import type { CausalLM } from './causal-lm'
import { dialogptBackwardInput, type MmiConfig } from './config'

/** The backward model's verdict on each hypothesis. */
export interface MmiScores {
  /** Mean NLL of `source + eos` given `hypothesis + eos`, per hypothesis (natural log). */
  scores: number[]
  /** Index of the lowest score (ties go to the lowest index). */
  best: number
  /** Hypothesis indices from best to worst. */
  order: number[]
}

/**
 * DialoGPT's MMI reranking score (paper §3.2): the backward model reads
 * `hypothesis + [eos] + source + [eos]` and is scored on `source + [eos]` (each token predicted
 * from the one before, the hypothesis part unscored), as the mean negative log-likelihood; the
 * lowest wins. This is the convention of the decoder the DialoGPT README links to; a trailing eos
 * on a hypothesis is removed first so it is not doubled. Repeated hypotheses are scored once.
 */
export async function mmiRerank(
  backward: CausalLM,
  sourceIds: readonly number[],
  hypotheses: readonly (readonly number[])[],
  eosTokenId = EOS_TOKEN_ID,
  backwardInput: NonNullable<MmiConfig['backwardInput']> = dialogptBackwardInput,
  /** Stops the scoring (between the backward model's chunks of rows) with the signal's reason. */
  signal?: AbortSignal,
): Promise<MmiScores> {
  if (hypotheses.length === 0) throw new RangeError('MMI needs at least one hypothesis')
  // Sampled hypotheses often repeat (short replies under top-K): each distinct one is scored once.
  const distinct = new Map<string, number>()
  const unique: (readonly number[])[] = []
  const slot = hypotheses.map((h) => {
    const key = h.join(',')
    let k = distinct.get(key)
    if (k === undefined) {
      distinct.set(key, (k = unique.length))
      unique.push(h)
    }
    return k
  })
  const inputs = unique.map((h) => backwardInput(h, sourceIds, eosTokenId))
  const uniqueScores = await backward.score(
    inputs.map((i) => i.context),
    inputs.map((i) => i.target),
    { signal },
  )
  const scores = slot.map((k) => uniqueScores[k]!)
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]! || a - b)
  return { scores, best: order[0]!, order }
}
