import * as tf from '@tensorflow/tfjs-core'

/**
 * LayerNorm and GPT-2's GELU as single kernels on the wasm heap, for inference. tfjs composes
 * them from ~10 and 8 small kernels (moments, sub, rsqrt, mul, add; pow, tanh, ...): in a decode
 * step that is ~300 of its ~780 kernel calls, each costing a few microseconds of dispatch for a few
 * hundred numbers of work. Used only on wasm and only while no gradient is being recorded (these
 * kernels have no gradient); statistics are accumulated in float64.
 */

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array
}

const LAYER_NORM = 'DialoGPTLayerNorm'
const GELU_NEW = 'DialoGPTGeluNew'
let registered = false

function register(): void {
  if (registered) return
  registered = true
  tf.registerKernel({
    kernelName: LAYER_NORM,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, gain, bias } = inputs as { x: tf.TensorInfo; gain: tf.TensorInfo; bias: tf.TensorInfo }
      const eps = (attrs as unknown as { eps: number }).eps
      const wasm = backend as unknown as WasmBackendLike
      const out = wasm.makeOutput(x.shape.slice(), 'float32')
      // Heap views are taken after makeOutput: growing the heap detaches earlier ones.
      const xs = wasm.typedArrayFromHeap(x)
      const g = wasm.typedArrayFromHeap(gain)
      const b = wasm.typedArrayFromHeap(bias)
      const o = wasm.typedArrayFromHeap(out)
      const C = x.shape[x.shape.length - 1]!
      for (let row = 0; row < xs.length; row += C) {
        let sum = 0
        for (let j = 0; j < C; j++) sum += xs[row + j]!
        const mean = sum / C
        let sq = 0
        for (let j = 0; j < C; j++) {
          const d = xs[row + j]! - mean
          sq += d * d
        }
        const inv = 1 / Math.sqrt(sq / C + eps)
        for (let j = 0; j < C; j++) o[row + j] = (xs[row + j]! - mean) * inv * g[j]! + b[j]!
      }
      return out
    },
  })
  tf.registerKernel({
    kernelName: GELU_NEW,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = (inputs as { x: tf.TensorInfo }).x
      const wasm = backend as unknown as WasmBackendLike
      const out = wasm.makeOutput(x.shape.slice(), 'float32')
      const xs = wasm.typedArrayFromHeap(x)
      const o = wasm.typedArrayFromHeap(out)
      const k = Math.sqrt(2 / Math.PI)
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i]!
        o[i] = 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v)))
      }
      return out
    },
  })
}

/** True when the fused kernels apply: wasm, and no gradient tape recording. */
export function fusedInference(): boolean {
  return tf.getBackend() === 'wasm' && (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth === 0
}

/** LayerNorm over the last axis as one wasm kernel (see {@link fusedInference}). */
export function fusedLayerNorm<T extends tf.Tensor>(x: T, gain: tf.Tensor, bias: tf.Tensor, eps: number): T {
  register()
  return tf.engine().runKernel(LAYER_NORM, { x, gain, bias }, { eps } as unknown as tf.NamedAttrMap) as T
}

/** GPT-2's tanh-approximation GELU as one wasm kernel (see {@link fusedInference}). */
export function fusedGeluNew<T extends tf.Tensor>(x: T): T {
  register()
  return tf.engine().runKernel(GELU_NEW, { x }) as T
}
