import type * as tf from '@tensorflow/tfjs-core'
import { registerHeapKernel } from './heap'

/**
 * `UnsortedSegmentSum`, which tfjs-wasm lacks and the gradient of `tf.gather` needs (an embedding
 * trained by user code). The model's own ops never need it (their gathers have scatter gradients).
 */
export function registerUnsortedSegmentSum(): void {
  registerHeapKernel('UnsortedSegmentSum', (inputs, attrs, heap) => {
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo }
    const numSegments = attrs.numSegments as number
    const inner = x.shape.slice(1).reduce((p, d) => p * d, 1)
    const out = heap.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype)
    const xv = heap.typedArrayFromHeap(x)
    const ids = heap.typedArrayFromHeap(segmentIds)
    const ov = heap.typedArrayFromHeap(out)
    ov.fill(0)
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i]!
      if (s < 0 || s >= numSegments) continue
      for (let j = 0, o = s * inner, xi = i * inner; j < inner; j++) ov[o + j]! += xv[xi + j]!
    }
    return out
  })
}
