import * as tf from '@tensorflow/tfjs-core'
import { Batcher, asExampleSource, type Batch, type ExampleSource, type TrainingExample } from '@dialogpt/data'
import type { GPT2 } from '../model/gpt2'
import { accumulateGradients, NonFiniteLossError, type AccumulationReduction } from './accumulate'
import { AdamW, type DecayScope } from './adamw'
import { clipByGlobalNorm } from './clip'
import type { MomentOptimizer } from './moment-optimizer'
import { exampleLosses } from './objective'
import { OriginalAdam } from './original-adam'
import { constantSchedule, linearSchedule, noamSchedule } from './schedules'
import { checkpointName, type LoadedCheckpoint, type TrainerState } from './trainer-checkpoint'

/** Training data: a token store (or any {@link ExampleSource}) or examples in memory (e.g. `makeFeatures` output). */
export type TrainingData = ExampleSource | readonly TrainingExample[]

/** A learning-rate schedule by name, or a function of the 0-based optimiser step. */
export type ScheduleOption = 'noam' | 'linear' | 'constant' | ((step: number) => number)

export interface TrainerOptions {
  train: TrainingData
  /** Validation data; required for `evaluateEvery` and early stopping. */
  valid?: TrainingData
  /**
   * `'adamw'` (default: bias-corrected, decoupled weight decay, global-norm clipping) or
   * `'adam-original'` (the original's: no bias correction, eps 1e-6, decay on every tensor,
   * per-tensor clipping at 1.0).
   */
  optimizer?: 'adamw' | 'adam-original'
  /** Peak / base learning rate. Default 1e-5 (the original's). */
  learningRate?: number
  /** Default `'noam'` (the original's). */
  schedule?: ScheduleOption
  /** Warm-up steps of the noam and linear schedules. Default 4000 (the original demo's). */
  warmupSteps?: number
  /** Where the linear schedule reaches 0. Default: the `steps` given to `fit`. */
  totalSteps?: number
  /** Weight decay. Default 0.01. */
  weightDecay?: number
  /** AdamW only: which tensors decay. Default `'matrices'` (not biases and LayerNorms). */
  decay?: DecayScope
  beta1?: number
  beta2?: number
  epsilon?: number
  /** Gradient clipping: the global norm for `adamw`, the per-tensor norm for `adam-original`. Default 1.0; `Infinity` turns it off. */
  maxGradNorm?: number
  /**
   * Where the optimiser moments live: `'tensors'` on the backend, `'host'` in JavaScript memory
   * (the update runs there too), or `'auto'` (default): host on wasm for models over 64M
   * parameters, whose moments would not fit the 4 GB heap beside the weights and gradients.
   */
  optimizerState?: 'auto' | 'tensors' | 'host'
  /** Micro-batches per optimiser step. Default 1. */
  gradientAccumulation?: number
  /** How micro-batch gradients combine: `'sum'` (default, the original's) or `'mean'`. */
  accumulation?: AccumulationReduction
  /** Token budget per micro-batch (rows × longest row). Give this or `batchSize`. */
  tokensPerBatch?: number
  /** Rows per micro-batch. Default 4 when `tokensPerBatch` is not given. */
  batchSize?: number
  /** Examples longer than this are left out (and reported). Default: the model's `n_positions`. */
  maxLength?: number
  /** Seed of the batch shuffling. Default 42. */
  seed?: number
  /** Validate every this many steps (and at the end). Default: never (only at the end when `valid` is given). */
  evaluateEvery?: number
  /** Stop after this many evaluations without a better validation loss. Default: never stop early. */
  patience?: number
  /** Directory for checkpoints, the best model and the JSON-lines log (Node). Default: none (nothing written). */
  outputDir?: string
  /** Write a checkpoint every this many steps (and at the end, on abort and on early stopping). Default: only then. */
  checkpointEvery?: number
  /** Checkpoints to keep. Default 3. */
  keepCheckpoints?: number
  /** Called after every step, evaluation and checkpoint, and with notices. */
  callbacks?: TrainerCallbacks
}

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
 * Trains a {@link GPT2} on DialoGPT's objective, apart from the model:
 *
 * ```ts
 * const trainer = new Trainer(model, { train: store, valid: validStore, optimizer: 'adamw', learningRate: 1e-5,
 *   schedule: 'noam', warmupSteps: 4000, gradientAccumulation: 8, tokensPerBatch: 4096, outputDir: 'runs/a' })
 * await trainer.fit({ steps: 10_000, signal })
 * ```
 *
 * Each step reads `gradientAccumulation` micro-batches (length-bucketed, seeded), sums (or averages)
 * their gradients, clips, sets the scheduled learning rate and applies the optimiser. With
 * `outputDir`, checkpoints hold the weights, the optimiser moments, the step, the seed and the data
 * position, so `fit({ resume: true })` continues bit-identically on the cpu and wasm backends.
 */
export class Trainer {
  readonly optimizer: MomentOptimizer
  private trainBatcher: Batcher
  private readonly validBatcher: Batcher | null
  private readonly options: TrainerOptions
  private state: TrainerState
  private lastCheckpoint: string | null = null
  private lastEvaluation: EvaluationEvent | null = null

  constructor(
    readonly model: GPT2,
    options: TrainerOptions,
  ) {
    this.options = options
    const positive = (name: string, value: number | undefined, integer = true) => {
      if (value !== undefined && !(value > 0 && (!integer || Number.isInteger(value)))) throw new RangeError(`Trainer: ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`)
    }
    positive('learningRate', options.learningRate, false)
    positive('gradientAccumulation', options.gradientAccumulation)
    positive('evaluateEvery', options.evaluateEvery)
    positive('checkpointEvery', options.checkpointEvery)
    positive('keepCheckpoints', options.keepCheckpoints)
    positive('patience', options.patience)
    positive('warmupSteps', options.warmupSteps)
    if (options.accumulation !== undefined && options.accumulation !== 'sum' && options.accumulation !== 'mean') throw new RangeError(`Trainer: accumulation must be 'sum' or 'mean', got '${String(options.accumulation)}'`)
    if ((options.evaluateEvery || options.patience) && !options.valid) throw new RangeError('Trainer: evaluateEvery and patience need validation data (options.valid)')
    if ((options.checkpointEvery || options.keepCheckpoints) && !options.outputDir) throw new RangeError('Trainer: checkpointEvery and keepCheckpoints need an outputDir')
    const kind = options.optimizer ?? 'adamw'
    const lr = options.learningRate ?? 1e-5
    const where = options.optimizerState ?? 'auto'
    if (!['auto', 'tensors', 'host'].includes(where)) throw new RangeError(`Trainer: optimizerState must be 'auto', 'tensors' or 'host', got '${String(where)}'`)
    const stateOnHost = where === 'host' || (where === 'auto' && tf.getBackend() === 'wasm' && model.numParameters > 64e6)
    const common = { learningRate: lr, beta1: options.beta1, beta2: options.beta2, epsilon: options.epsilon, stateOnHost }
    if (kind === 'adamw') this.optimizer = new AdamW({ ...common, weightDecay: options.weightDecay ?? 0.01, decay: options.decay ?? 'matrices' })
    else if (kind === 'adam-original') this.optimizer = new OriginalAdam({ ...common, weightDecay: options.weightDecay ?? 0.01, maxGradNorm: options.maxGradNorm ?? 1 })
    else throw new RangeError(`Trainer: optimizer must be 'adamw' or 'adam-original', got '${String(kind)}'`)
    const batching = this.batching()
    const seed = options.seed ?? 42
    this.trainBatcher = new Batcher(asExampleSource(options.train), { ...batching, seed })
    if (this.batcher.excluded.length > 0) this.notice(`${this.batcher.excluded.length} of ${this.batcher.source.size} training examples are longer than ${Math.min(batching.maxLength, batching.tokensPerBatch ?? Infinity)} tokens and are left out`)
    this.validBatcher = options.valid ? new Batcher(asExampleSource(options.valid), { ...batching, shuffle: false }) : null
    if (this.validBatcher && this.validBatcher.excluded.length > 0) this.notice(`${this.validBatcher.excluded.length} validation examples are too long and are left out`)
    this.state = {
      step: 0,
      position: { epoch: 0, batch: 0 },
      seed,
      tokens: 0,
      elapsedMs: 0,
      optimizer: { kind, step: 0 },
      bestValidLoss: null,
      evaluationsWithoutImprovement: 0,
      options: describeOptions(options),
    }
  }

  /** The training batches' planner (its `excluded` lists the examples left out). */
  get batcher(): Batcher {
    return this.trainBatcher
  }

  private batching() {
    const { tokensPerBatch, batchSize, maxLength } = this.options
    return { tokensPerBatch, batchSize: batchSize ?? (tokensPerBatch === undefined ? 4 : undefined), maxLength: maxLength ?? this.model.config.n_positions }
  }

  /** Optimiser steps in one epoch (its batches / `gradientAccumulation`; fractional when they do not divide). */
  stepsPerEpoch(epoch = 0): number {
    return this.batcher.batchesIn(epoch) / (this.options.gradientAccumulation ?? 1)
  }

  /** Optimiser steps made so far. */
  get step(): number {
    return this.state.step
  }

  /** The learning rate of optimiser step `step` (0-based) under the configured schedule. */
  learningRateAt(step: number, totalSteps = this.options.totalSteps): number {
    const schedule = this.options.schedule ?? 'noam'
    const learningRate = this.options.learningRate ?? 1e-5
    const warmupSteps = this.options.warmupSteps ?? 4000
    if (typeof schedule === 'function') return schedule(step)
    if (schedule === 'noam') return noamSchedule(step, { learningRate, warmupSteps, nEmbd: this.model.config.n_embd })
    if (schedule === 'linear') {
      if (totalSteps === undefined) throw new RangeError("Trainer: the 'linear' schedule needs totalSteps (or fit({ steps }))")
      return linearSchedule(step, { learningRate, warmupSteps, totalSteps })
    }
    if (schedule === 'constant') return constantSchedule(step, { learningRate })
    throw new RangeError(`Trainer: unknown schedule '${String(schedule)}'`)
  }

  /** Runs training until `steps` or `epochs` is reached, early stopping, or `signal` aborts. */
  async fit(options: FitOptions = {}): Promise<FitResult> {
    const { steps, epochs, signal } = options
    if (steps === undefined && epochs === undefined) throw new RangeError('Trainer.fit: give steps or epochs')
    let resumedFrom: string | null = null
    if (this.options.outputDir) {
      const { removeStaleTemporaries } = await import('./trainer-checkpoint')
      for (const root of [await this.checkpointsDir(), this.options.outputDir])
        for (const dir of await removeStaleTemporaries(root)) this.notice(`removed ${dir}, left half-written by a process that no longer runs`)
    }
    if (!options.resume && this.options.outputDir && this.state.step === 0) {
      const { listTrainerCheckpoints } = await import('./trainer-checkpoint')
      const existing = await listTrainerCheckpoints(await this.checkpointsDir())
      if (existing.length > 0)
        throw new RangeError(`Trainer.fit: ${this.options.outputDir} already holds checkpoints of a run (the newest at step ${existing[0]!.step}): pass resume: true to continue it, or use another outputDir (nothing was overwritten)`)
    }
    if (options.resume) {
      if (!this.options.outputDir) throw new RangeError('Trainer.fit: resume needs an outputDir')
      const checkpoint = await this.findCheckpoint()
      if (checkpoint) {
        await this.restore(checkpoint)
        resumedFrom = checkpoint.dir
        this.notice(`resumed from ${checkpoint.dir} (step ${checkpoint.state.step})`)
      }
    }
    await this.prepareLog(resumedFrom !== null)
    const totalSteps = this.options.totalSteps ?? steps
    const accumulation = this.options.gradientAccumulation ?? 1
    const batches = this.trainBatcher.batches(this.state.position)
    let reason: FitResult['reason'] | null = null
    let lastLoss: number | null = null
    const done = (): FitResult['reason'] | null => {
      if (steps !== undefined && this.state.step >= steps) return 'steps'
      if (epochs !== undefined && this.state.position.epoch >= epochs) return 'epochs'
      return null
    }
    reason = done()
    try {
      while (reason === null) {
        if (signal?.aborted) {
          reason = 'aborted'
          break
        }
        const started = performance.now()
        const micro: Batch[] = []
        let position = this.state.position
        for (let k = 0; k < accumulation; k++) {
          const { value } = await batches.next()
          micro.push(value!.batch)
          position = value!.next
        }
        const lr = this.learningRateAt(this.state.step, totalSteps)
        let result
        try {
          result = accumulateGradients(this.model, micro, this.options.accumulation ?? 'sum')
        } catch (error) {
          if (error instanceof NonFiniteLossError) {
            await this.log({ type: 'diverged', step: this.state.step + 1, loss: String(error.loss) })
            throw new TrainingDivergedError(this.state.step, error.loss, this.lastCheckpoint)
          }
          throw error
        }
        let grads = result.grads
        if (this.optimizer instanceof AdamW && Number.isFinite(this.options.maxGradNorm ?? 1)) {
          grads = clipByGlobalNorm(grads, this.options.maxGradNorm ?? 1, { inPlace: true }).grads
        }
        this.optimizer.learningRate = lr
        this.optimizer.applyGradients(grads)
        tf.dispose(grads)
        const tokens = micro.reduce((a, b) => a + b.labelledTokens, 0)
        const ms = performance.now() - started
        lastLoss = result.losses.reduce((a, b) => a + b, 0) / result.losses.length
        this.state = { ...this.state, step: this.state.step + 1, position, tokens: this.state.tokens + tokens, elapsedMs: this.state.elapsedMs + ms, optimizer: { ...this.state.optimizer, step: this.optimizer.step } }
        const event: StepEvent = {
          step: this.state.step,
          epoch: position.epoch,
          loss: lastLoss,
          ppl: Math.exp(lastLoss),
          lr,
          tokens,
          tokensPerSecond: tokens / (ms / 1000),
          elapsed: this.state.elapsedMs / 1000,
        }
        await this.log({ type: 'step', ...event })
        await this.options.callbacks?.onStep?.(event)
        reason = done()
        const evaluateNow = this.validBatcher && ((this.options.evaluateEvery && this.state.step % this.options.evaluateEvery === 0) || reason !== null)
        if (evaluateNow) {
          await this.evaluate()
          if (this.options.patience && this.state.evaluationsWithoutImprovement >= this.options.patience && reason === null) reason = 'early-stopping'
        }
        const checkpointNow = this.options.outputDir && ((this.options.checkpointEvery && this.state.step % this.options.checkpointEvery === 0) || reason !== null)
        if (checkpointNow) await this.checkpoint()
      }
      if (reason === 'aborted' && this.options.outputDir && this.state.step > 0 && !this.lastCheckpoint?.endsWith(checkpointName(this.state.step))) await this.checkpoint()
    } finally {
      await batches.return(undefined)
    }
    return { step: this.state.step, reason, lastLoss, lastEvaluation: this.lastEvaluation, bestValidLoss: this.state.bestValidLoss, checkpoint: this.lastCheckpoint, resumedFrom }
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
      const [loss, ppl] = await batchLossAndPerplexity(this.model, batch)
      lossSum += loss * batch.inputIds.length
      pplSum += ppl * batch.inputIds.length
      rows += batch.inputIds.length
    }
    const loss = lossSum / rows
    const improved = this.state.bestValidLoss === null || loss < this.state.bestValidLoss
    this.state = { ...this.state, bestValidLoss: improved ? loss : this.state.bestValidLoss, evaluationsWithoutImprovement: improved ? 0 : this.state.evaluationsWithoutImprovement + 1 }
    const event: EvaluationEvent = { step: this.state.step, loss, ppl: pplSum / rows, bestLoss: this.state.bestValidLoss!, improved }
    this.lastEvaluation = event
    await this.log({ type: 'eval', ...event })
    if (improved && this.options.outputDir) await this.saveBest()
    await this.options.callbacks?.onEvaluate?.(event)
    return event
  }

  /** Writes a checkpoint now (needs `outputDir`) and prunes old ones. Returns its directory. */
  async checkpoint(): Promise<string> {
    if (!this.options.outputDir) throw new RangeError('Trainer.checkpoint: no outputDir')
    const { writeTrainerCheckpoint, pruneTrainerCheckpoints } = await import('./trainer-checkpoint')
    const dir = await writeTrainerCheckpoint(await this.checkpointsDir(), this.model, this.optimizer, this.state)
    this.lastCheckpoint = dir
    await pruneTrainerCheckpoints(await this.checkpointsDir(), this.options.keepCheckpoints ?? 3, dir)
    await this.log({ type: 'checkpoint', step: this.state.step, dir })
    await this.options.callbacks?.onCheckpoint?.({ step: this.state.step, dir })
    return dir
  }

  private async checkpointsDir(): Promise<string> {
    const { join } = await import('node:path')
    return join(this.options.outputDir!, 'checkpoints')
  }

  private async findCheckpoint(): Promise<LoadedCheckpoint | null> {
    const { latestTrainerCheckpoint } = await import('./trainer-checkpoint')
    return latestTrainerCheckpoint(await this.checkpointsDir(), (dir, error) => this.notice(`skipping checkpoint ${dir}: ${error.message}`))
  }

  private async restore(checkpoint: LoadedCheckpoint): Promise<void> {
    const { restoreTrainerCheckpoint } = await import('./trainer-checkpoint')
    if (checkpoint.state.optimizer.kind !== this.state.optimizer.kind) throw new RangeError(`Trainer: the checkpoint ${checkpoint.dir} was trained with '${checkpoint.state.optimizer.kind}', not '${this.state.optimizer.kind}'`)
    if (checkpoint.state.seed !== this.state.seed) this.notice(`the checkpoint's shuffle seed ${checkpoint.state.seed} replaces the configured ${this.state.seed}`)
    await restoreTrainerCheckpoint(checkpoint, this.model, this.optimizer)
    this.state = { ...checkpoint.state, options: this.state.options }
    this.lastCheckpoint = checkpoint.dir
    if (checkpoint.state.seed !== this.batcher.seed) this.trainBatcher = new Batcher(this.batcher.source, { ...this.batching(), seed: checkpoint.state.seed })
  }

  private async saveBest(): Promise<void> {
    const { join } = await import('node:path')
    const { rename, rm } = await import('node:fs/promises')
    const { saveGPT2 } = await import('../model/save')
    const dir = join(this.options.outputDir!, 'best')
    const temp = `${dir}.tmp-${process.pid}`
    await rm(temp, { recursive: true, force: true })
    try {
      await saveGPT2(this.model, temp, { 'trainer-best.json': { step: this.state.step, validLoss: this.state.bestValidLoss } })
    } catch (error) {
      await rm(temp, { recursive: true, force: true })
      throw error
    }
    await rm(dir, { recursive: true, force: true })
    await rename(temp, dir)
  }

  /** The JSON-lines log: on resume, entries after the checkpoint's step are dropped (they are redone). */
  private async prepareLog(resumed: boolean): Promise<void> {
    if (!this.options.outputDir) return
    const { mkdir, readFile, rename, writeFile } = await import('node:fs/promises')
    const { join } = await import('node:path')
    await mkdir(this.options.outputDir, { recursive: true })
    const path = join(this.options.outputDir, 'train-log.jsonl')
    let kept = ''
    if (resumed) {
      const text = await readFile(path, 'utf8').catch(() => '')
      kept = text
        .split('\n')
        .filter((line) => {
          if (!line.trim()) return false
          try {
            return (JSON.parse(line) as { step?: number }).step! <= this.state.step
          } catch {
            return false // a line cut by a crash
          }
        })
        .map((l) => `${l}\n`)
        .join('')
    }
    await writeFile(`${path}.tmp`, kept)
    await rename(`${path}.tmp`, path)
  }

  private async log(entry: Record<string, unknown>): Promise<void> {
    if (!this.options.outputDir) return
    const { appendFile } = await import('node:fs/promises')
    const { join } = await import('node:path')
    await appendFile(join(this.options.outputDir, 'train-log.jsonl'), `${JSON.stringify({ ...entry, time: new Date().toISOString() })}\n`)
  }

  private notice(message: string): void {
    this.options.callbacks?.onNotice?.(message)
  }

  /** Frees the optimiser's moments (the model is the caller's). */
  dispose(): void {
    this.optimizer.dispose()
  }
}

/** The original's per-batch eval numbers: the token-mean loss and exp(mean per-example loss), from one forward pass. */
async function batchLossAndPerplexity(model: GPT2, batch: Batch): Promise<[number, number]> {
  const { sums: s, counts: n } = await exampleLosses(model, batch.inputIds, batch.labels)
  let total = 0
  let count = 0
  let meanSum = 0
  let examples = 0
  for (let i = 0; i < s.length; i++) {
    total += s[i]!
    count += n[i]!
    if (n[i]! > 0) {
      meanSum += s[i]! / n[i]!
      examples++
    }
  }
  return [total / count, Math.exp(meanSum / examples)]
}

function describeOptions(options: TrainerOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) {
    if (key === 'train' || key === 'valid' || key === 'callbacks') continue
    out[key] = typeof value === 'function' ? 'custom' : value
  }
  return out
}
