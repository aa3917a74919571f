import * as tf from '@tensorflow/tfjs-core'
import type { GPT2, IntMatrix } from '../model/gpt2'
import { mixSeed } from '../model/dropout-sites'
import { dialogptLoss, hasLabelledToken } from './objective'

/** One micro-batch: inputs and aligned labels (`-1` = not trained on), as `@dialogpt/data` encodes them. */
export interface MicroBatch {
  inputIds: IntMatrix
  labels: IntMatrix
  attentionMask?: IntMatrix
}

/**
 * How micro-batch gradients combine: `'sum'` adds them, as the original does (its loss is not
 * divided by the accumulation count); `'mean'` averages them.
 */
export type AccumulationReduction = 'sum' | 'mean'

export interface AccumulatedGradients {
  /** Keyed by variable name, ready for `optimizer.applyGradients`. The caller disposes them. */
  grads: tf.NamedTensorMap
  /** The micro-batches' {@link dialogptLoss} values, in order. */
  losses: number[]
}

/** A micro-batch's loss was NaN or infinite (diverged training, or a batch with no labelled token). */
export class NonFiniteLossError extends Error {
  constructor(
    readonly microBatch: number,
    readonly loss: number,
  ) {
    super(`loss of micro-batch ${microBatch} is ${loss}: training diverged, or the batch has no labelled token (every label -1); no gradients were returned`)
    this.name = 'NonFiniteLossError'
  }
}

/**
 * Gradients of {@link dialogptLoss} over several micro-batches, combined by `reduction`, with at
 * most one micro-batch's activations alive at a time. Only the running sum stays between
 * micro-batches; nothing else is left behind. A NaN or infinite loss throws
 * {@link NonFiniteLossError} and frees everything computed so far. With `options.dropoutSeed`, the
 * model's dropout is applied (training), each micro-batch with masks of its own seed.
 */
export function accumulateGradients(model: GPT2, microBatches: MicroBatch[], reduction: AccumulationReduction = 'sum', options: { dropoutSeed?: number } = {}): AccumulatedGradients {
  if (microBatches.length === 0) throw new RangeError('accumulateGradients: no micro-batches given')
  if (reduction !== 'sum' && reduction !== 'mean') throw new RangeError(`accumulateGradients: reduction must be 'sum' or 'mean', got '${String(reduction)}'`)
  const variables = [...model.parameters().values()]
  let total: tf.NamedTensorMap | null = null
  const losses: number[] = []
  for (const [index, batch] of microBatches.entries()) {
    if (!hasLabelledToken(batch.labels)) {
      for (const t of Object.values(total ?? {})) t.dispose()
      throw new NonFiniteLossError(index, Number.NaN)
    }
    const dropoutSeed = options.dropoutSeed === undefined ? undefined : mixSeed(options.dropoutSeed, index, 7)
    const { value, grads } = tf.variableGrads(() => dialogptLoss(model, batch.inputIds, batch.labels, { attentionMask: batch.attentionMask, dropoutSeed }), variables)
    const loss = value.dataSync()[0]!
    value.dispose()
    if (!Number.isFinite(loss)) {
      for (const t of [...Object.values(grads), ...Object.values(total ?? {})]) t.dispose()
      throw new NonFiniteLossError(index, loss)
    }
    losses.push(loss)
    if (total === null) {
      total = grads
      continue
    }
    for (const name of Object.keys(grads)) {
      const sum = tf.add(total[name]!, grads[name]!)
      total[name]!.dispose()
      grads[name]!.dispose()
      total[name] = sum
    }
  }
  const grads = total!
  if (reduction === 'mean' && microBatches.length > 1) {
    for (const name of Object.keys(grads)) {
      const mean = tf.div(grads[name]!, microBatches.length)
      grads[name]!.dispose()
      grads[name] = mean
    }
  }
  return { grads, losses }
}
