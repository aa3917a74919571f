import type * as tf from '@tensorflow/tfjs-core'
import { registerHeapKernel, runHeapKernel } from './heap'

/**
 * LayerNorm and GPT-2's GELU as one JavaScript kernel each on the wasm heap. tfjs composes them from
 * ~10 and 8 small kernels; in a decode step that is ~300 of ~780 kernel calls, each costing a few
 * microseconds of dispatch for a few hundred numbers of work. No gradient: inference only.
 */
registerHeapKernel('DialoGPTLayerNorm', (inputs, attrs, heap) => {
  const input = inputs.x!
  const out = heap.makeOutput(input.shape.slice(), 'float32')
  const xs = heap.typedArrayFromHeap(input)
  const g = heap.typedArrayFromHeap(inputs.gain!)
  const b = heap.typedArrayFromHeap(inputs.bias!)
  const o = heap.typedArrayFromHeap(out)
  const C = input.shape[input.shape.length - 1]!
  const epsilon = attrs.eps as number
  for (let row = 0; row < xs.length; row += C) {
    let sum = 0
    for (let j = 0; j < C; j++) sum += xs[row + j]!
    const mean = sum / C
    let sq = 0
    for (let j = 0; j < C; j++) {
      const d = xs[row + j]! - mean
      sq += d * d
    }
    const inv = 1 / Math.sqrt(sq / C + epsilon)
    for (let j = 0; j < C; j++) o[row + j] = (xs[row + j]! - mean) * inv * g[j]! + b[j]!
  }
  return out
})

registerHeapKernel('DialoGPTGeluNew', (inputs, _attrs, heap) => {
  const out = heap.makeOutput(inputs.x!.shape.slice(), 'float32')
  const xs = heap.typedArrayFromHeap(inputs.x!)
  const o = heap.typedArrayFromHeap(out)
  const k = Math.sqrt(2 / Math.PI)
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!
    o[i] = 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v)))
  }
  return out
})

/** LayerNorm over the last axis as one kernel (statistics in float64). */
export function fusedLayerNorm(x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D, eps: number): tf.Tensor2D {
  return runHeapKernel('DialoGPTLayerNorm', { x, gain, bias }, { eps })
}

/** GPT-2's tanh-approximation GELU as one kernel. */
export function fusedGeluNew(x: tf.Tensor2D): tf.Tensor2D {
  return runHeapKernel('DialoGPTGeluNew', { x })
}
