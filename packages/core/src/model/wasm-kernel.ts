import * as tf from '@tensorflow/tfjs-core'

/** What a JavaScript kernel needs from tfjs-wasm's backend: allocate an output, view tensors on the heap. */
export interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
  /** A view of the tensor's bytes in the wasm heap. Take views after `makeOutput`: growing the heap detaches older ones. */
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array
}

const registered = new Set<string>()

/**
 * Registers, once, a kernel for the wasm backend written in JavaScript over the wasm heap, and
 * runs it. For the few operations where tfjs-wasm's own kernels (or chains of them) are slow.
 */
export function runWasmKernel<T extends tf.Tensor>(
  name: string,
  kernel: (inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>, heap: WasmHeap) => tf.TensorInfo,
  inputs: Record<string, tf.Tensor>,
  attrs: Record<string, unknown> = {},
): T {
  if (!registered.has(name)) {
    registered.add(name)
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: ({ inputs: i, attrs: a, backend }) => kernel(i as Record<string, tf.TensorInfo>, a as Record<string, unknown>, backend as unknown as WasmHeap),
    })
  }
  return tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as T
}
