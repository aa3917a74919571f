import * as tf from '@tensorflow/tfjs-core'

/**
 * Padding and causality, from the attention mask (1 = a real token, 0 = padding). Batches are
 * left-padded; the mask, never a token's value, says what is padding.
 */

/** Token ids or a mask, as a tensor or as nested arrays. */
export type IntMatrix = tf.Tensor2D | number[][]

/** Positions as Hugging Face computes them from the mask: the count of real tokens so far, minus 1 (padding gets 1). `[B, T]`. */
export function positionsFromMask(mask: number[][] | undefined, B: number, T: number, past: number): number[][] {
  const out: number[][] = []
  for (let b = 0; b < B; b++) {
    if (!mask) {
      out.push(Array.from({ length: T }, (_, t) => past + t))
      continue
    }
    let count = 0
    const row: number[] = []
    mask[b]!.forEach((m, s) => {
      count += m
      if (s >= past) row.push(m === 0 ? 1 : count - 1)
    })
    out.push(row)
  }
  return out
}

/** The additive attention bias `[B, 1, T, past+T]`: 0 where a query may look, -1e9 at future and padded keys. */
export function attentionBias(mask: number[][] | undefined, B: number, T: number, past: number): tf.Tensor4D {
  const S = past + T
  const data = new Float32Array(B * T * S)
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let s = 0; s < S; s++) if (s > past + t || (mask && mask[b]![s] === 0)) data[(b * T + t) * S + s] = -1e9
  return tf.tensor4d(data, [B, 1, T, S])
}

/** `x` as a `[batch, positions]` int32 tensor (the caller disposes it when it differs from `x`). */
export function toInt2D(x: IntMatrix, what: string): tf.Tensor2D {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) throw new RangeError(`${what} must be 2-D [batch, positions], got rank ${x.rank}`)
    return x.dtype === 'int32' ? x : (tf.cast(x, 'int32') as tf.Tensor2D)
  }
  const rows = toIntArrays(x, what)
  return tf.tensor2d(rows, [rows.length, rows[0]?.length ?? 0], 'int32')
}

/** `x` as nested arrays, checked to be a non-empty rectangle of integers. */
export function toIntArrays(x: IntMatrix, what: string): number[][] {
  const rows = x instanceof tf.Tensor ? (x.arraySync() as number[][]) : x
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every((r) => Array.isArray(r) && r.length === rows[0]!.length && r.length > 0))
    throw new RangeError(`${what} must be a non-empty [batch, positions] matrix of integers`)
  for (const r of rows) for (const v of r) if (!Number.isInteger(v)) throw new RangeError(`${what} must hold integers, found ${v}`)
  return rows
}
