import * as tf from '@tensorflow/tfjs-core'
import type { QuantizedMatrix } from '../quant/quantized-matrix'
import type { GPT2Config } from './config'

/**
 * Faster implementations of the network's named operations (see `ops.ts`) for one tfjs backend.
 * Each may decline a call by returning `null` (a shape it is not fast for, gradients being
 * recorded, …); the plain tfjs composite then runs. Backend packages register theirs on import —
 * `@dialogpt/backend-node` and `@dialogpt/backend-web` register the wasm set — as tfjs backends
 * register their kernels: the model never asks which backend it runs on.
 */
export interface OpKernels {
  /** `x · weight + bias`, weight `[in, out]` (Conv1D layout). */
  linear?(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D | null
  layerNorm?(x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D, epsilon: number): tf.Tensor2D | null
  geluNew?(x: tf.Tensor2D): tf.Tensor2D | null
  /** `softmax(q · kᵀ · scale + bias) · v` for `[batch, heads, positions, head size]`. */
  attention?(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D, scale: number): tf.Tensor4D | null
  /**
   * `x · Wᵀ + bias` for a weight held in 8 or 16 bits (`[out, in]`, see `QuantizedMatrix`); the
   * quantized linear layers and the quantized tied head (no bias) both run through it.
   */
  quantizedLinear?(x: tf.Tensor2D, weight: QuantizedMatrix, bias?: tf.Tensor1D): tf.Tensor2D | null
  /** The output head tied to the embedding: `h · wteᵀ`. */
  tiedHead?(h: tf.Tensor2D, wte: tf.Tensor2D): tf.Tensor2D | null
  /** Rows `rows` of `x` along the first axis (for reordering a KV cache; not differentiated). */
  gatherRows?<T extends tf.Tensor>(x: T, rows: readonly number[]): T | null
  /** Frees what the kernels keep for these tensors (a cached transposed head), when a model is disposed. */
  release?(tensors: Iterable<tf.Tensor>): void
  /**
   * Throws when a model of `config` cannot run on this backend (a `ModelTooLargeError` saying why).
   * `quantized` names the parameters held as {@link QuantizedMatrix} (outside the backend's memory).
   */
  checkModel?(config: GPT2Config, quantized?: ReadonlySet<string>): void
  /** Throws when a model of `config` cannot be trained on this backend (its optimizer moments kept in host memory). */
  checkTraining?(config: GPT2Config): void
  /** Bytes the backend can hold at most (wasm: its 32-bit heap), for memory decisions such as where optimizer moments live. */
  memoryLimitBytes?: number
}

export type OpName = Exclude<keyof OpKernels, 'release' | 'checkModel' | 'checkTraining' | 'memoryLimitBytes'>

const registered = new Map<string, OpKernels>()
const disabled = new Set<OpName>()

/** Registers (or replaces) the kernel set of a tfjs backend, by its name (`'wasm'`, `'webgl'`, …). */
export function registerKernels(backend: string, kernels: OpKernels): void {
  registered.set(backend, kernels)
}

/** The kernel set registered for `backend` (default: the current tfjs backend), if any. */
export function kernelsFor(backend: string = tf.getBackend()): OpKernels | undefined {
  return registered.get(backend)
}

/** Every backend that has a kernel set, with it (for tests that compare each kernel with its composite). */
export function registeredKernels(): ReadonlyMap<string, OpKernels> {
  return registered
}

/** Turns one operation's registered kernels off (or back on), for A/B measurements. */
export function setKernelEnabled(op: OpName, enabled: boolean): void {
  if (enabled) disabled.delete(op)
  else disabled.add(op)
}

/** The registered kernel for `op` on the current backend, unless it is turned off. */
export function kernel<K extends OpName>(op: K): OpKernels[K] | undefined {
  return disabled.has(op) ? undefined : registered.get(tf.getBackend())?.[op]
}
