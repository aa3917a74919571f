/**
 * @packageDocumentation
 * `@dialogpt/core/wasm-kernels`: the kernels that make GPT-2 fast on tfjs-wasm, registered for the
 * `'wasm'` backend by `@dialogpt/backend-node` and `@dialogpt/backend-web` when they are imported
 * (call {@link registerWasmKernels} yourself when you pick tfjs backends by hand). The model never
 * refers to them: it calls the operations of `ops.ts`, which use a registered kernel when the
 * current backend has one. Figures: `bench/README.md`.
 */
import * as tf from '@tensorflow/tfjs-core'
import { registerKernels, type OpKernels } from '../../model/kernel-registry'
import { perHeadAttention } from './attention'
import { fusedGeluNew, fusedLayerNorm } from './elementwise'
import { checkModelFits, checkTrainingFits, WASM_HEAP_BYTES } from './fits'
import { copyRows } from './gather-rows'
import { recordingGradients } from './heap'
import { untransposedMatMul } from './matmul'
import { registerUnsortedSegmentSum } from './segment-sum'
import { releaseHeadCache, tiedHeadKernel } from './tied-head'
import { quantizedLinearKernel } from '../../quant/quantized-linear-kernel'

export { checkModelFits, checkTrainingFits, wasmInferenceBytes, WASM_HEAP_BYTES } from './fits'

/** Inference calls with at most this many rows (batch × new positions) use the one-kernel LayerNorm and GELU. */
const FUSED_MAX_ROWS = 16

export interface WasmKernelOptions {
  /** Keep a transposed copy of `wte` for the inference head (faster decoding, +4 × vocab × n_embd bytes). Default true. */
  headCache?: boolean
  /** One-kernel LayerNorm and GELU in decode-sized inference calls. Default true. */
  fused?: boolean
  /** Attention per head for one long prompt. Default true. */
  perHeadAttention?: boolean
}

/** The wasm kernel set (see the module description). */
export function wasmKernels(options: WasmKernelOptions = {}): OpKernels {
  const { headCache = true, fused = true } = options
  // The single JavaScript kernels win where dispatch dominates (a few rows: decode steps), not on a
  // prefill's [64, 3072], where tfjs-wasm's Tanh beats Math.tanh per element.
  const fuse = (x: tf.Tensor2D) => fused && x.shape[0] <= FUSED_MAX_ROWS && !recordingGradients()
  return {
    linear: (x, weight, bias) => tf.add(untransposedMatMul(x, weight), bias) as tf.Tensor2D,
    layerNorm: (x, gain, bias, eps) => (fuse(x) ? fusedLayerNorm(x, gain, bias, eps) : null),
    geluNew: (x) => (fuse(x) ? fusedGeluNew(x) : null),
    attention: options.perHeadAttention === false ? undefined : perHeadAttention,
    quantizedLinear: quantizedLinearKernel,
    tiedHead: tiedHeadKernel({ headCache }),
    gatherRows: copyRows,
    release: releaseHeadCache,
    checkModel: (config, quantized) => checkModelFits(config, { headCache, quantized }),
    checkTraining: (config) => checkTrainingFits(config, { headCache }),
    memoryLimitBytes: WASM_HEAP_BYTES,
  }
}

/**
 * Registers {@link wasmKernels} for tfjs's `'wasm'` backend (replacing an earlier registration, so
 * it can be called again with other options) and the `UnsortedSegmentSum` kernel tfjs-wasm lacks.
 */
export function registerWasmKernels(options: WasmKernelOptions = {}): void {
  registerKernels('wasm', wasmKernels(options))
  registerUnsortedSegmentSum()
}
