import * as tf from '@tensorflow/tfjs-core'
import { recordingGradients } from '../kernels/wasm/heap'
import type { QuantizedMatrix } from './quantized-matrix'

/**
 * The `quantizedLinear` kernel: `x · Wᵀ + bias` by the WebAssembly SIMD kernels on the 8- or 16-bit
 * weights ({@link QuantizedMatrix.multiply}). The activations are read from the tfjs backend and the
 * result becomes a new tensor, so it serves any backend whose reads are cheap (wasm, cpu,
 * tfjs-node). Declines while gradients are recorded (a quantized model does not train).
 */
export function quantizedLinearKernel(x: tf.Tensor2D, weight: QuantizedMatrix, bias?: tf.Tensor1D): tf.Tensor2D | null {
  if (recordingGradients()) return null
  const rows = x.shape[0]
  const y = weight.multiply(x.dataSync() as Float32Array, rows, bias?.dataSync() as Float32Array | undefined)
  return tf.tensor2d(y, [rows, weight.outFeatures])
}
