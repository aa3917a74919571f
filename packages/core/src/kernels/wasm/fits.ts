import { parameterShapes, type GPT2Config } from '../../model/config'
import { ModelTooLargeError } from '../../model/model-too-large-error'

/** tfjs-wasm's heap is 32-bit: 4 GiB for weights, XNNPACK's packed copies and activations. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30
/** Room kept for activations, the KV cache and tfjs's own allocations (a 16-row MMI forward of the 345M model needs ~0.4 GiB). */
const WASM_WORKING_BYTES = 0.4 * 2 ** 30

/**
 * Bytes of wasm heap a GPT-2 of `config` holds for inference: the fp32 weights, XNNPACK's packed
 * copy of every matrix it multiplies by (tfjs-wasm packs each matmul's right operand once and keeps
 * it), and with the head cache the transposed `wte` and its packed copy. Measured for the 345M
 * shape: 3.03 GiB of heap after a 64-token prompt and 16 new tokens; this gives 2.83 GiB + activations.
 * Parameters named in `quantized` live outside the heap (in the quantized kernels' own memory) and
 * are not counted; a quantized `wte` has no head cache.
 */
export function wasmInferenceBytes(config: GPT2Config, options: { headCache?: boolean; quantized?: ReadonlySet<string> } = {}): number {
  let weights = 0
  let packed = 0
  for (const [name, shape] of parameterShapes(config)) {
    if (options.quantized?.has(name)) continue
    const n = shape.reduce((a, b) => a * b, 1)
    weights += n
    if (shape.length === 2 && name.includes('.h.')) packed += n
  }
  const wte = config.vocab_size * config.n_embd
  const head = options.headCache === false || options.quantized?.has('transformer.wte.weight') ? 0 : 2 * wte
  return 4 * (weights + packed + head)
}

/**
 * Throws {@link ModelTooLargeError} when a GPT-2 of `config` cannot run on tfjs-wasm: when its
 * weights, their packed copies and working memory exceed the 4 GiB heap (DialoGPT-large, 762M,
 * needs ~6 GiB there). The wasm kernel set's `checkModel`: the `GPT2` constructor calls it before
 * anything is allocated.
 */
export function checkModelFits(config: GPT2Config, options: { headCache?: boolean; quantized?: ReadonlySet<string> } = {}): void {
  const needed = wasmInferenceBytes(config, options) + WASM_WORKING_BYTES
  if (needed <= WASM_HEAP_BYTES) return
  const gib = (b: number) => (b / 2 ** 30).toFixed(1)
  const params = [...parameterShapes(config).values()].reduce((s, shape) => s + shape.reduce((a, b) => a * b, 1), 0)
  throw new ModelTooLargeError(
    `a ${(params / 1e6).toFixed(0)}M-parameter GPT-2 needs about ${gib(needed)} GiB on the wasm backend ` +
      `(${gib(params * 4)} GiB of fp32 weights, XNNPACK's packed copies of its matrices and working memory), ` +
      `but wasm's heap is 32-bit and ends at 4 GiB. Run it on the native backend (install @tensorflow/tfjs-node or ` +
      `@tensorflow/tfjs-node-gpu: @dialogpt/backend-node picks them up), on 'cpu' (slow), on WebGPU/WebGL in a browser, load it with dtype 'q8' ` +
      `(8-bit weights outside the heap), or use a smaller model.`,
    needed,
    WASM_HEAP_BYTES,
  )
}


/**
 * Throws {@link ModelTooLargeError} when a GPT-2 of `config` cannot be fine-tuned on tfjs-wasm even
 * with the AdamW moments in host memory: the heap holds the weights, their packed copies (and the
 * head cache) as for inference, plus a gradient for every weight and working memory. DialoGPT-small
 * (124M) fits (3.4 GiB measured at 4 × 64 tokens); DialoGPT-medium (355M) needs ~4.6 GiB: measured,
 * the heap runs out during its first backward pass, so it is refused here before anything is allocated.
 */
export function checkTrainingFits(config: GPT2Config, options: { headCache?: boolean } = {}): void {
  const params = [...parameterShapes(config).values()].reduce((s, shape) => s + shape.reduce((a, b) => a * b, 1), 0)
  const needed = wasmInferenceBytes(config, options) + 4 * params + WASM_WORKING_BYTES
  if (needed <= WASM_HEAP_BYTES) return
  const gib = (b: number) => (b / 2 ** 30).toFixed(1)
  throw new ModelTooLargeError(
    `training a ${(params / 1e6).toFixed(0)}M-parameter GPT-2 needs about ${gib(needed)} GiB on the wasm backend ` +
      `(weights, XNNPACK's packed copies, a gradient per weight and working memory; the optimizer moments already live in host memory), ` +
      `but wasm's heap ends at 4 GiB. Train it on the native backend (@tensorflow/tfjs-node or -node-gpu), on 'cpu' (slow: no heap limit), or train a smaller model.`,
    needed,
    WASM_HEAP_BYTES,
  )
}
