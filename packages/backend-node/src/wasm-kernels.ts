import * as tf from '@tensorflow/tfjs-core'

let registered = false

/**
 * Kernels the wasm backend lacks that GPT-2 training code can need: `UnsortedSegmentSum` (the
 * gradient of `tf.gather`, e.g. an embedding trained by user code). A plain JS kernel over the
 * wasm heap.
 */
export function registerWasmExtras(): void {
  if (registered || tf.getKernel('UnsortedSegmentSum', 'wasm')) return
  registered = true
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo }
      const { numSegments } = attrs as unknown as { numSegments: number }
      type WasmBackend = { makeOutput(shape: number[], dtype: string): tf.TensorInfo; typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array }
      const b = backend as unknown as WasmBackend
      const inner = x.shape.slice(1).reduce((p, d) => p * d, 1)
      const out = b.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype)
      // Heap views are taken after makeOutput: growing the heap detaches earlier views.
      const xv = b.typedArrayFromHeap(x)
      const ids = b.typedArrayFromHeap(segmentIds)
      const ov = b.typedArrayFromHeap(out)
      ov.fill(0)
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i]!
        if (s < 0 || s >= numSegments) continue
        for (let j = 0, o = s * inner, xi = i * inner; j < inner; j++) ov[o + j]! += xv[xi + j]!
      }
      return out
    },
  })
}
