import * as tf from '@tensorflow/tfjs-core'
import type { GPT2, IntMatrix } from '../model/gpt2'
import { disposeCache } from '../model/gpt2'

/** The original's ignore index in aligned labels (what `@dialogpt/data` writes). */
export const DIALOGPT_IGNORE = -1

function labelRows(labels: IntMatrix): number[][] {
  return labels instanceof tf.Tensor ? (labels.arraySync() as number[][]) : labels
}

/** Per-position negative log-likelihoods `[batch, positions]` (0 where ignored) and the counted mask. */
function tokenLosses(model: GPT2, inputIds: IntMatrix, labels: number[][], attentionMask?: IntMatrix): { nll: tf.Tensor2D; mask: tf.Tensor2D } {
  const { logits, cache } = model.forward(inputIds, { attentionMask })
  disposeCache(cache)
  const [B, T, V] = logits.shape
  if (labels.length !== B || labels.some((r) => r.length !== T)) throw new RangeError(`labels must be [${B}, ${T}] like inputIds`)
  const flat = labels.flat()
  for (const y of flat) if (y !== DIALOGPT_IGNORE && (y < 0 || y >= V || !Number.isInteger(y))) throw new RangeError(`label ${y} is outside the vocabulary [0, ${V}) (use -1 to ignore a position)`)
  const targets = tf.tensor1d(flat.map((y) => (y === DIALOGPT_IGNORE ? 0 : y)), 'int32')
  const mask = tf.tensor2d(flat.map((y) => (y === DIALOGPT_IGNORE ? 0 : 1)), [B, T])
  const logp = tf.logSoftmax(tf.reshape(logits, [B * T, V]))
  const picked = tf.sum(tf.mul(logp, tf.oneHot(targets, V)), 1)
  return { nll: tf.mul(tf.reshape(tf.neg(picked), [B, T]), mask) as tf.Tensor2D, mask }
}

/**
 * DialoGPT's training objective on aligned labels (`labels[t]` is what position `t` predicts, -1
 * ignored — `@dialogpt/data`'s features): cross-entropy summed over every labelled token of the
 * batch and divided by their number. Differentiable: use it inside `tf.variableGrads`.
 */
export function dialogptLoss(model: GPT2, inputIds: IntMatrix, labels: IntMatrix, options: { attentionMask?: IntMatrix } = {}): tf.Scalar {
  const rows = labelRows(labels)
  return tf.tidy(() => {
    const { nll, mask } = tokenLosses(model, inputIds, rows, options.attentionMask)
    return tf.div(tf.sum(nll), tf.sum(mask)) as tf.Scalar
  })
}

/**
 * Per-example sums of the token losses and numbers of labelled tokens, from one forward pass:
 * what both the original's perplexity and its batch loss are computed from.
 */
export async function exampleLosses(model: GPT2, inputIds: IntMatrix, labels: IntMatrix, options: { attentionMask?: IntMatrix } = {}): Promise<{ sums: Float32Array; counts: Float32Array }> {
  const rows = labelRows(labels)
  const [sums, counts] = tf.tidy(() => {
    const { nll, mask } = tokenLosses(model, inputIds, rows, options.attentionMask)
    return [tf.sum(nll, 1), tf.sum(mask, 1)]
  })
  const [s, n] = await Promise.all([sums!.data(), counts!.data()])
  sums!.dispose()
  counts!.dispose()
  return { sums: s as Float32Array, counts: n as Float32Array }
}

/**
 * Perplexity as the original reports it: exp of the mean over examples of each example's mean
 * token loss (not exp of the batch token mean). Examples with no labelled token are left out.
 */
export async function dialogptPerplexity(model: GPT2, inputIds: IntMatrix, labels: IntMatrix, options: { attentionMask?: IntMatrix } = {}): Promise<number> {
  const { sums: s, counts: n } = await exampleLosses(model, inputIds, labels, options)
  const means: number[] = []
  for (let i = 0; i < s.length; i++) {
    if (n[i]! > 0) means.push(s[i]! / n[i]!)
  }
  if (means.length === 0) throw new Error('dialogptPerplexity: no example has a labelled token (all labels are -1)')
  return Math.exp(means.reduce((a, b) => a + b, 0) / means.length)
}
