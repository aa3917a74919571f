import * as tf from '@tensorflow/tfjs-core'

const KERNEL = 'DialoGPTGatherRows'

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array
}

let registered = false

/**
 * Registers, once, a wasm kernel that copies whole rows (the first axis) with `TypedArray.set`.
 * tfjs-wasm's GatherV2 computes every element's source index: reordering a 10-row, 66-position
 * KV-cache tensor of the 124M model takes ~16 ms with it and ~0.3 ms with this (one `memcpy` per
 * row). Beam search reorders 24 such tensors per step.
 */
function register(): void {
  if (registered) return
  registered = true
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const x = inputs.x as tf.TensorInfo
      const rows = (attrs as unknown as { rows: number[] }).rows
      const wasm = backend as unknown as WasmBackendLike
      const out = wasm.makeOutput([rows.length, ...x.shape.slice(1)], x.dtype)
      const inner = x.shape.slice(1).reduce((a, b) => a * b, 1)
      // Views are taken after makeOutput: growing the wasm heap detaches earlier views.
      const source = wasm.typedArrayFromHeap(x)
      const target = wasm.typedArrayFromHeap(out)
      rows.forEach((r, i) => target.set(source.subarray(r * inner, (r + 1) * inner), i * inner))
      return out
    },
  })
}

/**
 * `x[rows]` along the first axis (rows may repeat). Same result as `tf.gather(x, rows)`; on wasm a
 * row-copying kernel instead of tfjs's element-wise gather. Not differentiable on wasm (it is for
 * cache reordering, which no gradient passes through).
 */
export function gatherRows<T extends tf.Tensor>(x: T, rows: readonly number[]): T {
  const n = x.shape[0]!
  for (const r of rows) if (!Number.isInteger(r) || r < 0 || r >= n) throw new RangeError(`row ${r} is outside [0, ${n})`)
  if (tf.getBackend() !== 'wasm' || x.dtype === 'string' || x.dtype === 'complex64') return tf.tidy(() => tf.gather(x, tf.tensor1d(rows as number[], 'int32'))) as T
  register()
  return tf.engine().runKernel(KERNEL, { x }, { rows: rows.slice() } as unknown as tf.NamedAttrMap) as T
}
