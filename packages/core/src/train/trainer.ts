import { QuantizationError } from '../quant/quantization-error'
import { Batcher, asExampleSource, type Batch } from '@dialogpt/data'
import { defaultStorage } from '../io/storage'
import type { GPT2 } from '../model/gpt2'
import { accumulateGradients, NonFiniteLossError } from './accumulate'
import { AdamW } from './adamw'
import type { MomentOptimizer } from './moment-optimizer'
import { exampleLosses, lossAndPerplexity } from './objective'
import { OriginalAdam } from './original-adam'
import { constantSchedule, linearSchedule, noamSchedule } from './schedules'
import { checkpointName, type LoadedCheckpoint, type TrainerState } from './trainer-checkpoint'
import { resolveTrainerConfig, type TrainerConfig, type TrainerOptions } from './trainer-config'
import { TrainingDivergedError, type EvaluationEvent, type FitOptions, type FitResult, type StepEvent, type TrainerCallbacks } from './trainer-events'
import { TrainerFiles } from './trainer-files'
import { kernelsFor } from '../model/kernel-registry'
import { mixSeed } from '../model/dropout-sites'

export type { TrainerOptions, TrainerConfig, TrainingData, ScheduleOption } from './trainer-config'
export { ResumeError, TrainingDivergedError, type StepEvent, type EvaluationEvent, type TrainerCallbacks, type FitOptions, type FitResult } from './trainer-events'

/**
 * Trains a {@link GPT2} on DialoGPT's objective, apart from the model:
 *
 * ```ts
 * const trainer = new Trainer(model, { train: store, valid: validStore, optimizer: 'adamw', learningRate: 1e-5,
 *   schedule: 'noam', warmupSteps: 4000, gradientAccumulation: 8, tokensPerBatch: 4096, outputDir: 'runs/a' })
 * await trainer.fit({ steps: 10_000, signal })
 * ```
 *
 * Each step reads `gradientAccumulation` micro-batches (length-bucketed, seeded), sums (or averages)
 * their gradients and lets the optimiser clip and apply them at the scheduled learning rate. With
 * `outputDir`, checkpoints hold the weights, the optimiser moments, the step, the seed and the data
 * position, so `fit({ resume: true })` continues bit-identically on the cpu and wasm backends. The
 * settings are resolved once into {@link Trainer.config}; files go through `TrainerFiles`.
 */
export class Trainer {
  readonly optimizer: MomentOptimizer
  /** Every setting, defaults applied. */
  readonly config: TrainerConfig
  private trainBatcher: Batcher
  private readonly validBatcher: Batcher | null
  private readonly files: TrainerFiles | null
  private readonly callbacks: TrainerCallbacks
  private state: TrainerState
  private lastCheckpoint: string | null = null
  private lastEvaluation: EvaluationEvent | null = null

  constructor(
    readonly model: GPT2,
    options: TrainerOptions,
  ) {
    const c = (this.config = resolveTrainerConfig(options, model))
    // Before anything is allocated: a backend that cannot hold the training step says so (wasm and DialoGPT-medium).
    if (model.dtype !== 'fp32') throw new QuantizationError('not-float', `this GPT-2 holds its matrices as ${model.dtype}, which cannot be trained: fine-tune the float checkpoint, then quantize it`)
    kernelsFor()?.checkTraining?.(model.config)
    this.callbacks = options.callbacks ?? {}
    const common = { learningRate: c.learningRate, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, stateOnHost: c.optimizerState === 'host' }
    this.optimizer =
      c.optimizer === 'adamw'
        ? new AdamW({ ...common, weightDecay: c.weightDecay, decay: c.decay, maxGradNorm: c.maxGradNorm })
        : new OriginalAdam({ ...common, weightDecay: c.weightDecay, maxGradNorm: c.maxGradNorm })
    this.trainBatcher = new Batcher(asExampleSource(options.train), c.batching)
    const limit = Math.min(c.batching.maxLength, c.batching.tokensPerBatch ?? Infinity)
    if (this.batcher.excluded.length > 0) this.notice(`${this.batcher.excluded.length} of ${this.batcher.source.size} training examples are longer than ${limit} tokens and are left out`)
    this.validBatcher = options.valid ? new Batcher(asExampleSource(options.valid), { ...c.batching, shuffle: false }) : null
    if (this.validBatcher && this.validBatcher.excluded.length > 0) this.notice(`${this.validBatcher.excluded.length} validation examples are too long and are left out`)
    this.files = c.outputDir ? new TrainerFiles(c.outputDir, options.storage ?? defaultStorage()) : null
    this.state = {
      step: 0,
      position: { epoch: 0, batch: 0 },
      seed: c.batching.seed,
      tokens: 0,
      elapsedMs: 0,
      optimizer: { kind: c.optimizer, step: 0 },
      bestValidLoss: null,
      evaluationsWithoutImprovement: 0,
      options: describeOptions(options),
    }
  }

  /** The training batches' planner (its `excluded` lists the examples left out). */
  get batcher(): Batcher {
    return this.trainBatcher
  }

  /** Optimiser steps in one epoch (its batches / `gradientAccumulation`; fractional when they do not divide). */
  stepsPerEpoch(epoch = 0): number {
    return this.batcher.batchesIn(epoch) / this.config.gradientAccumulation
  }

  /** Optimiser steps made so far. */
  get step(): number {
    return this.state.step
  }

  /** The learning rate of optimiser step `step` (0-based) under the configured schedule. */
  learningRateAt(step: number, totalSteps = this.config.totalSteps): number {
    const { schedule, learningRate, warmupSteps } = this.config
    if (typeof schedule === 'function') return schedule(step)
    if (schedule === 'noam') return noamSchedule(step, { learningRate, warmupSteps, nEmbd: this.model.config.n_embd })
    if (schedule === 'linear') {
      if (totalSteps === undefined) throw new RangeError("Trainer: the 'linear' schedule needs totalSteps (or fit({ steps }))")
      return linearSchedule(step, { learningRate, warmupSteps, totalSteps })
    }
    return constantSchedule(step, { learningRate })
  }

  /** Runs training until `steps` or `epochs` is reached, early stopping, or `signal` aborts. */
  async fit(options: FitOptions = {}): Promise<FitResult> {
    const { steps, epochs, signal } = options
    if (steps === undefined && epochs === undefined) throw new RangeError('Trainer.fit: give steps or epochs')
    const resumedFrom = await this.start(options.resume ?? false)
    const totalSteps = this.config.totalSteps ?? steps
    const batches = this.trainBatcher.batches(this.state.position)
    let lastLoss: number | null = null
    const done = (): FitResult['reason'] | null => {
      if (steps !== undefined && this.state.step >= steps) return 'steps'
      if (epochs !== undefined && this.state.position.epoch >= epochs) return 'epochs'
      return null
    }
    let reason = done()
    try {
      while (reason === null) {
        if (signal?.aborted) {
          reason = 'aborted'
          break
        }
        lastLoss = await this.trainStep(batches, totalSteps)
        reason = done()
        const { evaluateEvery, patience, checkpointEvery } = this.config
        if (this.validBatcher && ((evaluateEvery && this.state.step % evaluateEvery === 0) || reason !== null)) {
          await this.evaluate()
          if (patience && this.state.evaluationsWithoutImprovement >= patience && reason === null) reason = 'early-stopping'
        }
        if (this.files && ((checkpointEvery && this.state.step % checkpointEvery === 0) || reason !== null)) await this.checkpoint()
      }
      if (reason === 'aborted' && this.files && this.state.step > 0 && !this.lastCheckpoint?.endsWith(checkpointName(this.state.step))) await this.checkpoint()
    } finally {
      await batches.return(undefined)
    }
    return { step: this.state.step, reason, lastLoss, lastEvaluation: this.lastEvaluation, bestValidLoss: this.state.bestValidLoss, checkpoint: this.lastCheckpoint, resumedFrom }
  }

  /** Before the first step: stale temporaries removed, the checkpoint to resume from restored (or an existing run refused), the log started. Returns the checkpoint resumed from. */
  private async start(resume: boolean): Promise<string | null> {
    if (!this.files) {
      if (resume) throw new RangeError('Trainer.fit: resume needs an outputDir')
      return null
    }
    for (const dir of await this.files.removeStale()) this.notice(`removed ${dir}, left half-written by a process that no longer runs`)
    let resumedFrom: string | null = null
    const outputDir = this.files.outputDir
    if (!resume && this.state.step === 0) {
      const existing = await this.files.existingCheckpoints()
      if (existing.length > 0)
        throw new RangeError(`Trainer.fit: ${outputDir} already holds checkpoints of a run (the newest at step ${existing[0]!.step}): pass resume: true to continue it, or use another outputDir (nothing was overwritten)`)
      if (await this.files.hasLog())
        throw new RangeError(`Trainer.fit: ${outputDir} already holds the log of a run (${this.files.logPath}): pass resume: true to continue it, or use another outputDir (nothing was overwritten)`)
    }
    if (resume) {
      const checkpoint = await this.files.latestCheckpoint()
      if (checkpoint) {
        await this.restore(checkpoint)
        resumedFrom = checkpoint.dir
        this.notice(`resumed from ${checkpoint.dir} (step ${checkpoint.state.step})`)
      } else if (await this.files.hasLog()) {
        // Stopped before its first checkpoint: nothing to continue from, so step 0 again; the log is kept.
        this.notice(`no checkpoint in ${outputDir} yet: starting at step 0 (the log is kept and appended to)`)
      }
    }
    await this.files.startLog(resume ? { step: this.state.step, dir: resumedFrom } : null)
    return resumedFrom
  }

  /** One optimiser step over `gradientAccumulation` micro-batches. Returns the mean loss. */
  private async trainStep(batches: AsyncGenerator<{ batch: Batch; next: TrainerState['position'] }>, totalSteps: number | undefined): Promise<number> {
    const started = performance.now()
    const micro: Batch[] = []
    let position = this.state.position
    for (let k = 0; k < this.config.gradientAccumulation; k++) {
      const { value } = await batches.next()
      micro.push(value!.batch)
      position = value!.next
    }
    const lr = this.learningRateAt(this.state.step, totalSteps)
    let result
    try {
      // Dropout masks seeded by the run's seed and the step: a resumed run draws the same ones.
      const dropoutSeed = this.config.dropout ? mixSeed(this.config.batching.seed, this.state.step, 11) : undefined
      result = accumulateGradients(this.model, micro, this.config.accumulation, { dropoutSeed })
    } catch (error) {
      if (error instanceof NonFiniteLossError) {
        await this.files?.log({ type: 'diverged', step: this.state.step + 1, loss: String(error.loss) })
        throw new TrainingDivergedError(this.state.step, error.loss, this.lastCheckpoint)
      }
      throw error
    }
    this.optimizer.learningRate = lr
    this.optimizer.applyGradients(result.grads)
    for (const g of Object.values(result.grads)) g.dispose()
    const tokens = micro.reduce((a, b) => a + b.labelledTokens, 0)
    const ms = performance.now() - started
    const loss = result.losses.reduce((a, b) => a + b, 0) / result.losses.length
    this.state = { ...this.state, step: this.state.step + 1, position, tokens: this.state.tokens + tokens, elapsedMs: this.state.elapsedMs + ms, optimizer: { ...this.state.optimizer, step: this.optimizer.step } }
    const event: StepEvent = { step: this.state.step, epoch: position.epoch, loss, ppl: Math.exp(loss), lr, tokens, tokensPerSecond: tokens / (ms / 1000), elapsed: this.state.elapsedMs / 1000 }
    await this.files?.log({ type: 'step', ...event })
    await this.callbacks.onStep?.(event)
    return loss
  }

  /**
   * Validation loss and perplexity as the original computes them, over all of `valid`; updates the
   * best loss (and writes `outputDir/best` when it improves).
   */
  async evaluate(): Promise<EvaluationEvent> {
    if (!this.validBatcher) throw new RangeError('Trainer.evaluate: no validation data (options.valid)')
    let lossSum = 0
    let pplSum = 0
    let rows = 0
    for (let b = 0; b < this.validBatcher.batchesIn(0); b++) {
      const batch = await this.validBatcher.batchAt({ epoch: 0, batch: b })
      const { sums, counts } = await exampleLosses(this.model, batch.inputIds, batch.labels)
      const { loss, perplexity } = lossAndPerplexity(sums, counts)
      lossSum += loss * batch.inputIds.length
      pplSum += perplexity * batch.inputIds.length
      rows += batch.inputIds.length
    }
    const loss = lossSum / rows
    const improved = this.state.bestValidLoss === null || loss < this.state.bestValidLoss
    this.state = { ...this.state, bestValidLoss: improved ? loss : this.state.bestValidLoss, evaluationsWithoutImprovement: improved ? 0 : this.state.evaluationsWithoutImprovement + 1 }
    const event: EvaluationEvent = { step: this.state.step, loss, ppl: pplSum / rows, bestLoss: this.state.bestValidLoss!, improved }
    this.lastEvaluation = event
    await this.files?.log({ type: 'eval', ...event })
    if (improved && this.files) await this.files.saveBest(this.model, { step: this.state.step, validLoss: this.state.bestValidLoss }, this.config.saveDtype)
    await this.callbacks.onEvaluate?.(event)
    return event
  }

  /** Writes a checkpoint now (needs `outputDir`) and prunes old ones. Returns its directory. */
  async checkpoint(): Promise<string> {
    if (!this.files) throw new RangeError('Trainer.checkpoint: no outputDir')
    const dir = await this.files.checkpoint(this.model, this.optimizer, this.state, this.config.keepCheckpoints)
    this.lastCheckpoint = dir
    await this.files.log({ type: 'checkpoint', step: this.state.step, dir })
    await this.callbacks.onCheckpoint?.({ step: this.state.step, dir })
    return dir
  }

  private async restore(checkpoint: LoadedCheckpoint): Promise<void> {
    if (checkpoint.state.optimizer.kind !== this.state.optimizer.kind) throw new RangeError(`Trainer: the checkpoint ${checkpoint.dir} was trained with '${checkpoint.state.optimizer.kind}', not '${this.state.optimizer.kind}'`)
    if (checkpoint.state.seed !== this.state.seed) this.notice(`the checkpoint's shuffle seed ${checkpoint.state.seed} replaces the configured ${this.state.seed}`)
    await this.files!.restore(checkpoint, this.model, this.optimizer)
    this.state = { ...checkpoint.state, options: this.state.options }
    this.lastCheckpoint = checkpoint.dir
    if (checkpoint.state.seed !== this.batcher.seed) this.trainBatcher = new Batcher(this.batcher.source, { ...this.config.batching, seed: checkpoint.state.seed })
  }

  private notice(message: string): void {
    this.callbacks.onNotice?.(message)
  }

  /** Frees the optimiser's moments (the model is the caller's). */
  dispose(): void {
    this.optimizer.dispose()
  }
}

function describeOptions(options: TrainerOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if (key === 'train' || key === 'valid' || key === 'callbacks' || key === 'storage') continue
    out[key] = typeof value === 'function' ? 'custom' : value
  }
  return out
}
