/** How a sequence ended. */
/** How a sequence ended (`'filtered'`: an output check, such as `@dialogpt/core`'s block list, cut it). */
export type FinishReason = 'eos' | 'max_length' | 'max_time' | 'filtered'

/** One generated continuation. */
export interface GeneratedSequence {
  /** The generated ids only (the eos that ended it included). */
  ids: number[]
  /** Beam search: Hugging Face's `sequences_scores`; MMI: the backward model's mean NLL (lower is better); otherwise null. */
  score: number | null
  finishedBy: FinishReason
  /** With `outputScores` (greedy and sampling): each generated token's scores. */
  steps?: StepScores[]
}

/** One step's scores for the chosen token, as Hugging Face reports them. */
export interface StepScores {
  token: number
  /** The processed score (HF `scores[t][id]`: logit after the processors and warpers). */
  processedScore: number
  rawLogit: number
  /** log_softmax of the processed scores at the token. */
  logprobProcessed: number
  /** log_softmax of the raw logits at the token. */
  logprobRaw: number
}
