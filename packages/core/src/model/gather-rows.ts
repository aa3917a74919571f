import * as tf from '@tensorflow/tfjs-core'
import { runWasmKernel } from './wasm-kernel'

/**
 * `x[rows]` along the first axis (rows may repeat). Same result as `tf.gather(x, rows)`; on wasm a
 * kernel that copies whole rows with `TypedArray.set`: tfjs-wasm's GatherV2 computes every
 * element's source index, so reordering a 10-row, 66-position KV-cache tensor of the 124M model
 * took ~16 ms with it and takes ~0.3 ms with this. Beam search reorders 24 such tensors per step.
 * Not differentiable on wasm (it is for cache reordering, which no gradient passes through).
 */
export function gatherRows<T extends tf.Tensor>(x: T, rows: readonly number[]): T {
  const n = x.shape[0]!
  for (const r of rows) if (!Number.isInteger(r) || r < 0 || r >= n) throw new RangeError(`row ${r} is outside [0, ${n})`)
  if (tf.getBackend() !== 'wasm' || x.dtype === 'string' || x.dtype === 'complex64') return tf.tidy(() => tf.gather(x, tf.tensor1d(rows as number[], 'int32'))) as T
  return runWasmKernel<T>(
    'DialoGPTGatherRows',
    ({ x: input }, attrs, heap) => {
      const picked = attrs.rows as number[]
      const out = heap.makeOutput([picked.length, ...input!.shape.slice(1)], input!.dtype)
      const inner = input!.shape.slice(1).reduce((a, b) => a * b, 1)
      const source = heap.typedArrayFromHeap(input!)
      const target = heap.typedArrayFromHeap(out)
      picked.forEach((r, i) => target.set(source.subarray(r * inner, (r + 1) * inner), i * inner))
      return out
    },
    { x },
    { rows: rows.slice() },
  )
}
