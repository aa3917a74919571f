import * as tf from '@tensorflow/tfjs-core'

/** What a JavaScript kernel needs from tfjs-wasm's backend: allocate an output, view tensors on the heap. */
export interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
  /** A view of the tensor's bytes in the wasm heap. Take views after `makeOutput`: growing the heap detaches older ones. */
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array
}

export type HeapKernel = (inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>, heap: WasmHeap) => tf.TensorInfo

/** Registers `kernel` as a tfjs kernel of the wasm backend under `name` (once). */
export function registerHeapKernel(name: string, kernel: HeapKernel): void {
  if (tf.getKernel(name, 'wasm')) return
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => kernel(inputs as Record<string, tf.TensorInfo>, attrs as Record<string, unknown>, backend as unknown as WasmHeap),
  })
}

/** Runs a kernel registered with {@link registerHeapKernel}. */
export function runHeapKernel<T extends tf.Tensor>(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}): T {
  return tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as T
}

/** True while tfjs records operations for a gradient (inside `tf.grads`, `variableGrads`, `minimize`): kernels without gradients must not run then. */
export function recordingGradients(): boolean {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0
}
