/** How a sequence ended. */
export type FinishReason = 'eos' | 'max_length' | 'max_time'

/** One generated continuation. */
export interface GeneratedSequence {
  /** The generated ids only (the eos that ended it included). */
  ids: number[]
  /** Beam search: Hugging Face's `sequences_scores`; MMI: the backward model's mean NLL (lower is better); otherwise null. */
  score: number | null
  finishedBy: FinishReason
}
