import * as tf from '@tensorflow/tfjs-core'
import type { GPT2, IntMatrix, PreparedInput } from '../model/gpt2'

/** The original's ignore index in aligned labels (what `@dialogpt/data` writes). */
export const DIALOGPT_IGNORE = -1

/** The labelled positions of a batch: flat index `b·T + t`, the target, and the row it belongs to. */
function labelledPositions(model: GPT2, inputIds: IntMatrix, labels: IntMatrix, attentionMask?: IntMatrix, dropoutSeed?: number): { input: PreparedInput; at: number[]; targets: number[]; rowOf: number[]; rows: number } {
  const input = model.prepare(inputIds, { attentionMask, dropoutSeed })
  const [B, T] = input.ids.shape
  const rows = labels instanceof tf.Tensor ? (labels.arraySync() as number[][]) : labels
  const fail = (error: Error): never => {
    if (input.ids !== inputIds) input.ids.dispose()
    throw error
  }
  if (rows.length !== B || rows.some((r) => r.length !== T)) fail(new RangeError(`labels must be [${B}, ${T}] like inputIds`))
  const V = model.config.vocab_size
  const at: number[] = []
  const targets: number[] = []
  const rowOf: number[] = []
  rows.forEach((row, b) =>
    row.forEach((y, t) => {
      if (y === DIALOGPT_IGNORE) return
      if (!Number.isInteger(y) || y < 0 || y >= V) fail(new RangeError(`label ${y} is outside the vocabulary [0, ${V}) (use -1 to ignore a position)`))
      at.push(b * T + t)
      targets.push(y)
      rowOf.push(b)
    }),
  )
  return { input, at, targets, rowOf, rows: B }
}

/**
 * DialoGPT's training objective on aligned labels (`labels[t]` is what position `t` predicts, -1
 * ignored — `@dialogpt/data`'s features): cross-entropy summed over every labelled token of the
 * batch and divided by their number. Differentiable: use it inside `tf.variableGrads`.
 */
export function dialogptLoss(model: GPT2, inputIds: IntMatrix, labels: IntMatrix, options: { attentionMask?: IntMatrix; dropoutSeed?: number } = {}): tf.Scalar {
  const { input, at, targets } = labelledPositions(model, inputIds, labels, options.attentionMask, options.dropoutSeed)
  try {
    if (at.length === 0) throw new RangeError('dialogptLoss: the batch has no labelled token (every label is -1), so its mean loss is undefined')
    return tf.tidy(() => tf.mean(model.positionNll(input, at, targets)) as tf.Scalar)
  } finally {
    if (input.ids !== inputIds) input.ids.dispose()
  }
}

/** Whether any position of `labels` is trained on (not -1). */
export function hasLabelledToken(labels: IntMatrix): boolean {
  const rows = labels instanceof tf.Tensor ? (labels.arraySync() as number[][]) : labels
  return rows.some((r) => r.some((y) => y !== DIALOGPT_IGNORE))
}

/**
 * Per-example sums of the token losses and numbers of labelled tokens, from one forward pass:
 * what both the original's perplexity and its batch loss are computed from.
 */
export async function exampleLosses(model: GPT2, inputIds: IntMatrix, labels: IntMatrix, options: { attentionMask?: IntMatrix } = {}): Promise<{ sums: Float32Array; counts: Float32Array }> {
  const { input, at, targets, rowOf, rows } = labelledPositions(model, inputIds, labels, options.attentionMask)
  const sums = new Float32Array(rows)
  const counts = new Float32Array(rows)
  try {
    if (at.length === 0) return { sums, counts }
    const nll = tf.tidy(() => model.positionNll(input, at, targets))
    const values = await nll.data()
    nll.dispose()
    values.forEach((v, k) => {
      sums[rowOf[k]!]! += v
      counts[rowOf[k]!]! += 1
    })
    return { sums, counts }
  } finally {
    if (input.ids !== inputIds) input.ids.dispose()
  }
}

/**
 * The original's two numbers for a batch, from per-example sums and counts: the token-mean loss
 * (every labelled token of the batch weighted equally) and the perplexity, exp of the mean over
 * examples of each example's mean token loss (not exp of the token mean). Examples with no
 * labelled token are left out of the perplexity.
 */
export function lossAndPerplexity(sums: ArrayLike<number>, counts: ArrayLike<number>): { loss: number; perplexity: number } {
  let total = 0
  let count = 0
  let meanSum = 0
  let examples = 0
  for (let i = 0; i < sums.length; i++) {
    total += sums[i]!
    count += counts[i]!
    if (counts[i]! > 0) {
      meanSum += sums[i]! / counts[i]!
      examples++
    }
  }
  return { loss: total / count, perplexity: Math.exp(meanSum / examples) }
}

/** Perplexity as the original reports it (see {@link lossAndPerplexity}), from one forward pass. */
export async function dialogptPerplexity(model: GPT2, inputIds: IntMatrix, labels: IntMatrix, options: { attentionMask?: IntMatrix } = {}): Promise<number> {
  const { sums, counts } = await exampleLosses(model, inputIds, labels, options)
  if (!Array.prototype.some.call(counts, (n: number) => n > 0)) throw new Error('dialogptPerplexity: no example has a labelled token (all labels are -1)')
  return lossAndPerplexity(sums, counts).perplexity
}
