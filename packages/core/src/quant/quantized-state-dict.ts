import type { EncodedTensor } from '../checkpoint/safetensors'
import { float32ToFloat16Bits, type StateDict, type StateDictTensor } from '../checkpoint/tensor-data'
import type { Weights } from '../model/weights'
import { QuantizationError } from './quantization-error'
import { Q8_BLOCK, QuantizedMatrix, type QuantDType } from './quantized-matrix'

/** How a GPT-2's weight matrices are held: float32, float16, or 8-bit blocks (see {@link QuantDType}). */
export type WeightDType = 'fp32' | QuantDType

/** The suffix of a q8 matrix's int8 values in a quantized checkpoint: `<name>.q8`, `[out, in]` I8. */
export const Q8_VALUES_SUFFIX = '.q8'
/** The suffix of a q8 matrix's scales: `<name>.q8_scales`, `[out, ⌈in / 32⌉]` F16. */
export const Q8_SCALES_SUFFIX = '.q8_scales'
/** The safetensors metadata key that marks a quantized checkpoint; its value is the dtype (`'q8'`, `'f16'`). */
export const QUANTIZATION_METADATA_KEY = 'dialogpt_quantization'

const LINEAR = /^transformer\.h\.\d+\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/
const TABLE = /^(transformer\.wte\.weight|lm_head\.weight)$/

/** True for the parameters a quantized GPT-2 holds in 8 or 16 bits: every block's four matrices, `wte` (the tied head) and an untied `lm_head`. */
export function isQuantizable(name: string): boolean {
  return LINEAR.test(name) || TABLE.test(name)
}

/** A quantizable parameter's float32 layout: Conv1D weights are `[in, out]`; `wte` and `lm_head` are `[out, in]` (vocabulary rows). */
function layoutOf(name: string): 'in-out' | 'out-in' {
  return TABLE.test(name) ? 'out-in' : 'in-out'
}

/** Quantizes one float32 parameter (by Hugging Face name, in its usual shape). */
export function quantizeWeight(name: string, w: { shape: readonly number[]; data: Float32Array }, dtype: QuantDType): QuantizedMatrix {
  const [a, b] = w.shape as [number, number]
  const layout = layoutOf(name)
  return QuantizedMatrix.quantize(w.data, layout === 'in-out' ? { in: a, out: b } : { out: a, in: b }, layout, dtype, name)
}

/** A quantized parameter back in float32, in its usual shape (exact: every q8 and f16 value is a float32). */
export function dequantizeWeight(name: string, q: QuantizedMatrix): { shape: number[]; data: Float32Array } {
  return layoutOf(name) === 'in-out' ? { shape: [q.inFeatures, q.outFeatures], data: q.dequantizeInOut() } : { shape: [q.outFeatures, q.inFeatures], data: q.dequantizeRows() }
}

/**
 * Takes a quantized checkpoint's q8 matrices out of a state dict: each `<name>.q8` / `<name>.q8_scales`
 * pair becomes a {@link QuantizedMatrix}. In the dict that is returned, each such name has a
 * stand-in with the float shape and no data (one distinct value), so that the config and layout
 * checks see every parameter; {@link GPT2.withDType} uses the matrix instead. A dict without
 * quantized tensors comes back as it was. Errors name the tensor.
 */
export function quantizedStateDict(dict: StateDict): { dict: StateDict; quantized: Map<string, QuantizedMatrix> } {
  const quantized = new Map<string, QuantizedMatrix>()
  const plain: StateDict = new Map()
  try {
    for (const [name, tensor] of dict) {
      if (name.endsWith(Q8_SCALES_SUFFIX)) {
        if (!dict.has(name.slice(0, -Q8_SCALES_SUFFIX.length) + Q8_VALUES_SUFFIX)) throw new QuantizationError('bad-tensor', `'${name}' has no '${name.slice(0, -Q8_SCALES_SUFFIX.length)}${Q8_VALUES_SUFFIX}' beside it`, name)
        continue
      }
      if (!name.endsWith(Q8_VALUES_SUFFIX)) {
        plain.set(name, tensor)
        continue
      }
      const base = name.slice(0, -Q8_VALUES_SUFFIX.length)
      quantized.set(base, q8FromTensors(base, tensor, dict.get(base + Q8_SCALES_SUFFIX)))
      const [a, b] = tensor.shape as [number, number]
      // A stand-in: the float shape, for the checks that read shapes; its one value differs per name.
      plain.set(base, { dtype: 'float32', shape: layoutOf(base) === 'in-out' ? [b, a] : [a, b], data: new Float32Array([quantized.size]) })
    }
  } catch (error) {
    for (const q of quantized.values()) q.dispose()
    throw error
  }
  return { dict: plain, quantized }
}

function q8FromTensors(base: string, values: StateDictTensor, scales: StateDictTensor | undefined): QuantizedMatrix {
  if (!isQuantizable(base)) throw new QuantizationError('bad-tensor', `'${base}${Q8_VALUES_SUFFIX}': '${base}' is not a matrix a quantized GPT-2 holds in 8 bits`, base)
  if (values.dtype !== 'int8' || values.shape.length !== 2) throw new QuantizationError('bad-tensor', `'${base}${Q8_VALUES_SUFFIX}' must be a 2-D I8 tensor, got ${values.dtype} [${values.shape.join(', ')}]`, base)
  if (!scales) throw new QuantizationError('bad-tensor', `'${base}${Q8_VALUES_SUFFIX}' has no '${base}${Q8_SCALES_SUFFIX}' beside it`, base)
  const [out, inF] = values.shape as [number, number]
  const blocks = Math.ceil(inF / Q8_BLOCK)
  if (!(scales.data instanceof Float32Array) || scales.shape.length !== 2 || scales.shape[0] !== out || scales.shape[1] !== blocks)
    throw new QuantizationError('bad-tensor', `'${base}${Q8_SCALES_SUFFIX}' must be a float tensor of shape [${out}, ${blocks}], got ${scales.dtype} [${scales.shape.join(', ')}]`, base)
  return QuantizedMatrix.fromQ8(values.data, scales.data, { out, in: inF }, base)
}

const halfBytes = (values: Float32Array) => {
  const bits = float32ToFloat16Bits(values)
  return new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength)
}

/**
 * The tensors of a quantized checkpoint, for the safetensors writer: for q8, each quantized matrix
 * as `<name>.q8` (I8, `[out, in]`) and `<name>.q8_scales` (F16, `[out, ⌈in / 32⌉]`); for f16,
 * each as `<name>` in F16 with its usual shape (a plain half-precision tensor any loader reads).
 * `floats`, the parameters that are not quantized (biases, LayerNorms, `wpe`), stay float32.
 */
export function* quantizedTensors(floats: Weights, quantized: ReadonlyMap<string, QuantizedMatrix>): Generator<[string, { shape: number[]; data: Float32Array } | EncodedTensor]> {
  for (const [name, w] of floats) yield [name, { shape: [...w.shape], data: w.data }]
  for (const [name, q] of quantized) {
    if (q.dtype === 'q8') {
      const { q: values, scales } = q.q8Parts()
      yield [name + Q8_VALUES_SUFFIX, { shape: [q.outFeatures, q.inFeatures], dtype: 'I8', bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) }]
      yield [name + Q8_SCALES_SUFFIX, { shape: [q.outFeatures, q.blocks], dtype: 'F16', bytes: halfBytes(scales) }]
    } else {
      const { shape, data } = dequantizeWeight(name, q)
      yield [name, { shape, dtype: 'F16', bytes: halfBytes(data) }]
    }
  }
}
