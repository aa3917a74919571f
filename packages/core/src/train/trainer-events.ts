/** One optimiser step, as logged. */
export interface StepEvent {
  step: number
  epoch: number
  /** Mean of the micro-batches' losses (each the token mean of its batch). */
  loss: number
  /** exp(loss). */
  ppl: number
  /** The learning rate this step used. */
  lr: number
  /** Labelled tokens in this step. */
  tokens: number
  /** Labelled tokens per second of training time, this step. */
  tokensPerSecond: number
  /** Training time so far, in seconds. */
  elapsed: number
}

/** One validation pass, as logged. */
export interface EvaluationEvent {
  step: number
  /** The original's: mean over batches of the batch loss, weighted by rows. */
  loss: number
  /** The original's: mean over batches of exp(mean per-example loss), weighted by rows. */
  ppl: number
  bestLoss: number
  improved: boolean
}

export interface TrainerCallbacks {
  onStep?(event: StepEvent): void | Promise<void>
  onEvaluate?(event: EvaluationEvent): void | Promise<void>
  onCheckpoint?(event: { step: number; dir: string }): void | Promise<void>
  /** Notices: examples left out, damaged checkpoints skipped on resume, and the like. */
  onNotice?(message: string): void
}

export interface FitOptions {
  /** Stop when the step count reaches this (counting steps done before a resume). */
  steps?: number
  /** Stop at the end of this many epochs. */
  epochs?: number
  /** Abort: the current step finishes, a checkpoint is written (with `outputDir`), and `fit` returns. */
  signal?: AbortSignal
  /** Continue from the newest intact checkpoint in `outputDir/checkpoints` (start fresh if there is none). */
  resume?: boolean
}

export interface FitResult {
  step: number
  reason: 'steps' | 'epochs' | 'early-stopping' | 'aborted'
  lastLoss: number | null
  lastEvaluation: EvaluationEvent | null
  bestValidLoss: number | null
  /** The last checkpoint written, if any. */
  checkpoint: string | null
  /** Whether the run continued from a checkpoint, and which. */
  resumedFrom: string | null
}

/** Training stopped because the loss became NaN or infinite. Nothing was applied; the last good checkpoint is kept. */
export class TrainingDivergedError extends Error {
  override readonly name = 'TrainingDivergedError'
  constructor(
    readonly step: number,
    readonly loss: number,
    readonly lastCheckpoint: string | null,
  ) {
    super(
      `training stopped at step ${step + 1}: the loss is ${loss} (diverged: lower the learning rate, or check the data). ` +
        (lastCheckpoint ? `The last good checkpoint is ${lastCheckpoint}; the weights in memory are those of step ${step}.` : `No checkpoint was written; the weights in memory are those of step ${step}.`),
    )
  }
}


/**
 * `fit({ resume: true })` cannot continue the run in `outputDir` as it stands: a checkpoint there
 * cannot be read, or there is a log but no checkpoint. Nothing was overwritten; the message names
 * each unreadable checkpoint and why, and what to do.
 */
export class ResumeError extends Error {
  override readonly name = 'ResumeError'
  constructor(
    message: string,
    /** Each checkpoint that could not be read, newest first, with the reason. */
    readonly unreadable: readonly { dir: string; reason: string }[] = [],
  ) {
    super(message)
  }
}
