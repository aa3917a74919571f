import * as tf from '@tensorflow/tfjs-core'
import { runWasmKernel } from './wasm-kernel'

/**
 * LayerNorm and GPT-2's GELU as single kernels on the wasm heap, for inference. tfjs composes
 * them from ~10 and 8 small kernels (moments, sub, rsqrt, mul, add; pow, tanh, ...): in a decode
 * step that is ~300 of its ~780 kernel calls, each costing a few microseconds of dispatch for a few
 * hundred numbers of work. Used only on wasm and only while no gradient is being recorded (these
 * kernels have no gradient); statistics are accumulated in float64.
 */

/** True while tfjs records operations for a gradient (inside `tf.grads`, `variableGrads`, `minimize`). */
export function recordingGradients(): boolean {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0
}

/** True when the fused kernels apply: wasm, and no gradient tape recording. */
export function fusedInference(): boolean {
  return tf.getBackend() === 'wasm' && !recordingGradients()
}

/** LayerNorm over the last axis as one wasm kernel (see {@link fusedInference}). */
export function fusedLayerNorm<T extends tf.Tensor>(x: T, gain: tf.Tensor, bias: tf.Tensor, eps: number): T {
  return runWasmKernel<T>(
    'DialoGPTLayerNorm',
    (inputs, attrs, heap) => {
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
    },
    { x, gain, bias },
    { eps },
  )
}

/** GPT-2's tanh-approximation GELU as one wasm kernel (see {@link fusedInference}). */
export function fusedGeluNew<T extends tf.Tensor>(x: T): T {
  return runWasmKernel<T>(
    'DialoGPTGeluNew',
    (inputs, _attrs, heap) => {
      const out = heap.makeOutput(inputs.x!.shape.slice(), 'float32')
      const xs = heap.typedArrayFromHeap(inputs.x!)
      const o = heap.typedArrayFromHeap(out)
      const k = Math.sqrt(2 / Math.PI)
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i]!
        o[i] = 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v)))
      }
      return out
    },
    { x },
  )
}
