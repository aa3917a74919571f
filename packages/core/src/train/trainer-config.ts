import type { BatcherOptions, ExampleSource, TrainingExample } from '@dialogpt/data'
import type { Storage } from '../io/storage'
import type { GPT2 } from '../model/gpt2'
import type { SaveDtype } from '../pretrained/save-gpt2'
import { kernelsFor } from '../model/kernel-registry'
import type { AccumulationReduction } from './accumulate'
import type { DecayScope } from './adamw'
import type { TrainerCallbacks } from './trainer-events'

/** Training data: a token store (or any {@link ExampleSource}) or examples in memory (e.g. `makeFeatures` output). */
export type TrainingData = ExampleSource | readonly TrainingExample[]

/** A learning-rate schedule by name, or a function of the 0-based optimiser step. */
export type ScheduleOption = 'noam' | 'linear' | 'constant' | ((step: number) => number)

/** What `new Trainer(model, options)` takes. Every field but `train` has a default; see {@link TrainerConfig}. */
export interface TrainerOptions extends Pick<BatcherOptions, 'tokensPerBatch' | 'batchSize' | 'maxLength' | 'seed'> {
  train: TrainingData
  /** Validation data; required for `evaluateEvery` and early stopping. */
  valid?: TrainingData
  optimizer?: TrainerConfig['optimizer']
  learningRate?: number
  schedule?: ScheduleOption
  warmupSteps?: number
  totalSteps?: number
  weightDecay?: number
  decay?: DecayScope
  beta1?: number
  beta2?: number
  epsilon?: number
  maxGradNorm?: number
  optimizerState?: 'auto' | 'tensors' | 'host'
  gradientAccumulation?: number
  accumulation?: AccumulationReduction
  evaluateEvery?: number
  patience?: number
  outputDir?: string
  checkpointEvery?: number
  keepCheckpoints?: number
  saveDtype?: SaveDtype
  dropout?: boolean
  callbacks?: TrainerCallbacks
  /** Where checkpoints, the best model and the log are written. Default: the default storage (`@dialogpt/core/node` in Node). */
  storage?: Storage
}

/** Every trainer setting with its default applied, checked once (`resolveTrainerConfig`). */
export interface TrainerConfig {
  /**
   * `'adamw'` (default: bias-corrected, decoupled weight decay, global-norm clipping) or
   * `'adam-original'` (the original's: no bias correction, eps 1e-6, decay on every tensor,
   * per-tensor clipping).
   */
  optimizer: 'adamw' | 'adam-original'
  /** Peak / base learning rate. Default 1e-5 (the original's). */
  learningRate: number
  /** Default `'noam'` (the original's). */
  schedule: ScheduleOption
  /** Warm-up steps of the noam and linear schedules. Default 4000 (the original demo's). */
  warmupSteps: number
  /** Where the linear schedule reaches 0. Default: the `steps` given to `fit`. */
  totalSteps: number | undefined
  /** Weight decay. Default 0.01. */
  weightDecay: number
  /** AdamW only: which tensors decay. Default `'matrices'` (not biases and LayerNorms). */
  decay: DecayScope
  /** Default 0.9. */
  beta1: number
  /** Default 0.999. */
  beta2: number
  /** Default: the optimiser's (1e-8 AdamW, 1e-6 adam-original). */
  epsilon: number | undefined
  /** Gradient clipping, done by the optimiser: the global norm for `adamw`, each tensor's for `adam-original`. Default 1.0; `Infinity` turns it off. */
  maxGradNorm: number
  /**
   * Where the optimiser moments live: on the backend as tensors, or in JavaScript memory (the same
   * update runs there). `'auto'` (the default) resolves to host memory when the backend has a memory
   * limit (registered by its kernels: tfjs-wasm's 4 GiB heap) that a training step with the moments
   * on it would not fit — models over ~64M parameters on wasm — else tensors.
   */
  optimizerState: 'tensors' | 'host'
  /** Micro-batches per optimiser step. Default 1. */
  gradientAccumulation: number
  /** How micro-batch gradients combine: `'sum'` (default, the original's) or `'mean'`. */
  accumulation: AccumulationReduction
  /** Batching: a token budget (rows × longest row) or rows per micro-batch (default 4 rows), examples longer than `maxLength` (default `n_positions`) left out, shuffle seed (default 42). */
  batching: Required<Pick<BatcherOptions, 'maxLength' | 'seed'>> & Pick<BatcherOptions, 'tokensPerBatch' | 'batchSize'>
  /** Validate every this many steps (and at the end). Default: only at the end when there is validation data. */
  evaluateEvery: number | undefined
  /** Stop after this many evaluations without a better validation loss. Default: never stop early. */
  patience: number | undefined
  /** Directory for checkpoints, the best model and the JSON-lines log. Default: none (nothing written). */
  outputDir: string | undefined
  /** Write a checkpoint every this many steps (and at the end, on abort and on early stopping). Default: only then. */
  checkpointEvery: number | undefined
  /** Checkpoints to keep. Default 3. */
  keepCheckpoints: number
  /**
   * How `outputDir/best` is stored: `'float32'` (default), `'float16'` or `'bfloat16'` (see
   * `saveGPT2`). Checkpoints stay float32, so that a resumed run is bit-identical.
   */
  saveDtype: SaveDtype
  /**
   * Apply the model config's dropout (`embd_pdrop`, `attn_pdrop`, `resid_pdrop`: 0.1 in DialoGPT's
   * configs) in training steps, as the original trains, with masks seeded from `seed` and the step
   * (so resuming stays bit-identical). Never in evaluation or generation. Default true.
   */
  dropout: boolean
}

/**
 * Weight-sized copies a training step needs on the backend at its peak when the moments live there
 * too: weights, gradients, m and v, XNNPACK's packed copies, activations and the update's
 * temporaries. On tfjs-wasm's 4 GiB heap that puts the limit near 64M parameters (a 124M step with
 * its moments on the heap aborts; with them in host memory it peaks at 3.46 GB).
 */
const TENSOR_STATE_COPIES = 16

/** Applies the defaults to `options` and checks every value (a `RangeError` naming the option). */
export function resolveTrainerConfig(options: TrainerOptions, model: GPT2): TrainerConfig {
  const positive = <T extends number | undefined>(name: string, value: T, integer = true): T => {
    if (value !== undefined && !(value > 0 && (!integer || Number.isInteger(value)))) throw new RangeError(`Trainer: ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`)
    return value
  }
  const oneOf = <T extends string>(name: string, value: T | undefined, allowed: readonly T[], fallback: T): T => {
    if (value !== undefined && !allowed.includes(value)) throw new RangeError(`Trainer: ${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got '${String(value)}'`)
    return value ?? fallback
  }
  const optimizer = oneOf('optimizer', options.optimizer, ['adamw', 'adam-original'], 'adamw')
  if (typeof options.schedule === 'string') oneOf('schedule', options.schedule, ['noam', 'linear', 'constant'], 'noam')
  if ((options.evaluateEvery || options.patience) && !options.valid) throw new RangeError('Trainer: evaluateEvery and patience need validation data (options.valid)')
  if ((options.checkpointEvery || options.keepCheckpoints) && !options.outputDir) throw new RangeError('Trainer: checkpointEvery and keepCheckpoints need an outputDir')
  const maxGradNorm = options.maxGradNorm ?? 1
  if (!(maxGradNorm > 0)) throw new RangeError(`Trainer: maxGradNorm must be positive (Infinity turns clipping off), got ${maxGradNorm}`)
  const where = oneOf('optimizerState', options.optimizerState, ['auto', 'tensors', 'host'], 'auto')
  const limit = kernelsFor()?.memoryLimitBytes
  const fitsOnBackend = limit === undefined || model.numParameters * 4 * TENSOR_STATE_COPIES <= limit
  return {
    optimizer,
    learningRate: positive('learningRate', options.learningRate, false) ?? 1e-5,
    schedule: options.schedule ?? 'noam',
    warmupSteps: positive('warmupSteps', options.warmupSteps) ?? 4000,
    totalSteps: positive('totalSteps', options.totalSteps),
    weightDecay: options.weightDecay ?? 0.01,
    decay: oneOf('decay', options.decay, ['all', 'matrices'], 'matrices'),
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    epsilon: options.epsilon,
    maxGradNorm,
    optimizerState: where === 'auto' ? (fitsOnBackend ? 'tensors' : 'host') : where,
    gradientAccumulation: positive('gradientAccumulation', options.gradientAccumulation) ?? 1,
    accumulation: oneOf('accumulation', options.accumulation, ['sum', 'mean'], 'sum'),
    batching: {
      tokensPerBatch: options.tokensPerBatch,
      batchSize: options.batchSize ?? (options.tokensPerBatch === undefined ? 4 : undefined),
      maxLength: options.maxLength ?? model.config.n_positions,
      seed: options.seed ?? 42,
    },
    evaluateEvery: positive('evaluateEvery', options.evaluateEvery),
    patience: positive('patience', options.patience),
    outputDir: options.outputDir,
    checkpointEvery: positive('checkpointEvery', options.checkpointEvery),
    keepCheckpoints: positive('keepCheckpoints', options.keepCheckpoints) ?? 3,
    saveDtype: oneOf('saveDtype', options.saveDtype, ['float32', 'float16', 'bfloat16'], 'float32'),
    dropout: options.dropout ?? true,
  }
}
