import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import { GPT2, gpt2Config, type KVCache } from '@dialogpt/core'
import '@dialogpt/core/node'
import { registerWasmKernels, type WasmKernelOptions } from '@dialogpt/core/wasm-kernels'

/** Registers the wasm kernels with these options (all on by default), as @dialogpt/backend-node does on import. */
export function useWasmKernels(options: WasmKernelOptions = {}): void {
  registerWasmKernels(options)
}

/** Switches tfjs to `backend` (wasm or cpu), with the wasm kernels registered. */
export async function setBackend(backend: string): Promise<void> {
  useWasmKernels()
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`)
  await tf.ready()
}

/** Bytes of the wasm backend's heap (it only grows within a process). Call with wasm as the backend. */
export function wasmHeapBytes(): number {
  return (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length
}

/** GPT-2 124M (DialoGPT-small's shape) with random weights. */
export function randomSmall(): GPT2 {
  return GPT2.random(gpt2Config('small'), 1)
}

/** A cache of `length` random positions: timing does not depend on what the keys hold. */
export function randomCache(model: GPT2, length: number, rows = 1): KVCache {
  const c = model.config
  const shape: [number, number, number, number] = [rows, c.n_head, length, c.n_embd / c.n_head]
  return { layers: Array.from({ length: c.n_layer }, () => ({ key: tf.randomNormal(shape), value: tf.randomNormal(shape) })), length }
}
