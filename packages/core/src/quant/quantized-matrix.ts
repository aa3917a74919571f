import { float16BitsToFloat32, float16BitToFloat32, float32ToFloat16Bit, float32ToFloat16Bits } from '../checkpoint/tensor-data'
import { quantMemory, type QuantMemory } from './quant-memory'
import { QuantizationError } from './quantization-error'

/**
 * How a quantized matrix stores its weights:
 * - `q8`: int8 values with one scale per block of {@link Q8_BLOCK} weights along the input
 *   dimension (as ggml's q8_0): `w = q · scale`, `scale = max|w| / 127` rounded to float16.
 * - `f16`: IEEE half precision.
 */
export type QuantDType = 'q8' | 'f16'

/** The weights a q8 scale covers, along the input dimension. */
export const Q8_BLOCK = 32

/** The largest finite float16. */
const F16_MAX = 65504

/**
 * A weight matrix of a linear layer held in 8 or 16 bits, in the memory of the quantized-weight
 * kernels (see {@link QuantMemory}): `[out, in]`, each output's weights contiguous along the
 * input, the input padded with zeros to a multiple of 32. Built from float32 weights
 * ({@link QuantizedMatrix.quantize}) or from a quantized checkpoint's parts
 * ({@link QuantizedMatrix.fromQ8}); multiplies float32 activations ({@link QuantizedMatrix.multiply}).
 * Call {@link QuantizedMatrix.dispose} to free it.
 */
export class QuantizedMatrix {
  readonly dtype: QuantDType
  readonly outFeatures: number
  readonly inFeatures: number
  /** `inFeatures` rounded up to a multiple of 32. */
  readonly inPadded: number
  /** The tensor it was made from (for errors). */
  readonly name: string
  private readonly memory: QuantMemory
  private readonly at: number
  private readonly scalesAt: number
  private readonly bytes: number
  private disposed = false

  private constructor(dtype: QuantDType, outFeatures: number, inFeatures: number, name: string) {
    this.dtype = dtype
    this.outFeatures = outFeatures
    this.inFeatures = inFeatures
    this.inPadded = Math.ceil(inFeatures / Q8_BLOCK) * Q8_BLOCK
    this.name = name
    this.memory = quantMemory()
    const weights = outFeatures * this.inPadded * (dtype === 'q8' ? 1 : 2)
    const scales = dtype === 'q8' ? outFeatures * this.blocks * 4 : 0
    this.bytes = weights + scales
    this.at = this.memory.allocate(this.bytes)
    this.scalesAt = this.at + weights
  }

  /** Blocks of 32 along the input dimension. */
  get blocks(): number {
    return this.inPadded / Q8_BLOCK
  }

  /** Bytes the matrix takes in the kernels' memory (weights and scales). */
  get byteLength(): number {
    return this.bytes
  }

  /**
   * Quantizes float32 weights. `layout` says how `data` is laid out: `'in-out'` is `[in, out]`
   * (GPT-2's Conv1D), `'out-in'` is `[out, in]` (an embedding used as the tied head). Refuses
   * non-finite weights and, for f16, values beyond its range, naming the tensor.
   */
  static quantize(data: Float32Array, shape: { out: number; in: number }, layout: 'in-out' | 'out-in', dtype: QuantDType, name = 'weight'): QuantizedMatrix {
    const { out, in: inF } = shape
    if (data.length !== out * inF) throw new QuantizationError('bad-tensor', `${name}: ${data.length} values for a [${out}, ${inF}] matrix`, name)
    const m = new QuantizedMatrix(dtype, out, inF, name)
    const row = new Float32Array(m.inPadded)
    for (let o = 0; o < out; o++) {
      if (layout === 'out-in') row.set(data.subarray(o * inF, (o + 1) * inF))
      else for (let i = 0; i < inF; i++) row[i] = data[i * out + o]!
      for (let i = 0; i < inF; i++) {
        const v = row[i]!
        if (!Number.isFinite(v)) throw m.failed(new QuantizationError('not-finite', `${name}: weight [${layout === 'out-in' ? `${o}, ${i}` : `${i}, ${o}`}] is ${v}; only finite weights can be quantized`, name))
        if (dtype === 'f16' && Math.abs(v) > F16_MAX) throw m.failed(new QuantizationError('out-of-range', `${name}: weight ${v} is beyond float16's range (±${F16_MAX})`, name))
      }
      if (dtype === 'q8') m.quantizeQ8Row(o, row)
      else m.halfRow(o).set(float32ToFloat16Bits(row))
    }
    return m
  }

  /**
   * A q8 matrix from a quantized checkpoint's parts: `q` `[out, in]` int8 values, `scales`
   * `[out, ⌈in / 32⌉]` (float16 values, as float32). Checks ranges and finiteness, naming `name`.
   */
  static fromQ8(q: Int8Array | Int32Array | ArrayLike<number>, scales: Float32Array, shape: { out: number; in: number }, name: string): QuantizedMatrix {
    const { out, in: inF } = shape
    const blocks = Math.ceil(inF / Q8_BLOCK)
    if (q.length !== out * inF) throw new QuantizationError('bad-tensor', `${name}.q8: ${q.length} values for [${out}, ${inF}]`, name)
    if (scales.length !== out * blocks) throw new QuantizationError('bad-tensor', `${name}.q8_scales: ${scales.length} scales for [${out}, ${blocks}]`, name)
    for (let i = 0; i < scales.length; i++) {
      const s = scales[i]!
      if (!Number.isFinite(s) || s < 0) throw new QuantizationError('not-finite', `${name}.q8_scales: scale ${i} is ${s}; scales must be finite and non-negative`, name)
    }
    // int8 values as read from a checkpoint (an Int8Array view of the file) need only the -128 check.
    const source = q instanceof Int8Array || q instanceof Int32Array ? q : Int32Array.from(q, (v, k) => {
      if (!Number.isInteger(v)) throw new QuantizationError('out-of-range', `${name}.q8: value ${v} at [${Math.floor(k / inF)}, ${k % inF}] is not an integer`, name)
      return v
    })
    const outside = (k: number) => new QuantizationError('out-of-range', `${name}.q8: value ${source[k]} at [${Math.floor(k / inF)}, ${k % inF}] is outside the integers of [-127, 127]`, name)
    if (source instanceof Int8Array) {
      const k = source.indexOf(-128) // the only int8 outside the range, found by the engine's own search
      if (k >= 0) throw outside(k)
    } else for (let k = 0; k < source.length; k++) if (source[k]! < -127 || source[k]! > 127) throw outside(k)
    const m = new QuantizedMatrix('q8', out, inF, name)
    const weights = m.int8()
    if (m.inPadded === inF) weights.set(source)
    else
      for (let o = 0; o < out; o++) {
        weights.set(source.subarray(o * inF, (o + 1) * inF), o * m.inPadded)
        weights.fill(0, o * m.inPadded + inF, (o + 1) * m.inPadded)
      }
    m.scales().set(scales)
    return m
  }

  /** The stored parts of a q8 matrix, unpadded: `q` `[out, in]`, `scales` `[out, blocks]` (float16 values). */
  q8Parts(): { q: Int8Array; scales: Float32Array } {
    this.check()
    if (this.dtype !== 'q8') throw new QuantizationError('dtype-mismatch', `${this.name} is ${this.dtype}, not q8`, this.name)
    const q = new Int8Array(this.outFeatures * this.inFeatures)
    const all = this.int8()
    for (let o = 0; o < this.outFeatures; o++) q.set(all.subarray(o * this.inPadded, o * this.inPadded + this.inFeatures), o * this.inFeatures)
    return { q, scales: this.scales().slice() }
  }

  /** Rows `rows` (output indices; default all) of the dequantized matrix: `[rows.length, in]` float32. Exact. */
  dequantizeRows(rows?: readonly number[]): Float32Array {
    this.check()
    const list = rows ?? Array.from({ length: this.outFeatures }, (_, i) => i)
    const inF = this.inFeatures
    const out = new Float32Array(list.length * inF)
    const half = new Float32Array(this.inPadded)
    list.forEach((o, r) => {
      if (!Number.isInteger(o) || o < 0 || o >= this.outFeatures) throw new RangeError(`${this.name}: row ${o} is outside [0, ${this.outFeatures})`)
      const target = out.subarray(r * inF, (r + 1) * inF)
      if (this.dtype === 'f16') {
        float16BitsToFloat32(this.halfRow(o), half)
        target.set(half.subarray(0, inF))
        return
      }
      const q = this.int8().subarray(o * this.inPadded, o * this.inPadded + inF)
      const s = this.scales().subarray(o * this.blocks, (o + 1) * this.blocks)
      for (let i = 0; i < inF; i++) target[i] = q[i]! * s[(i / Q8_BLOCK) | 0]!
    })
    return out
  }

  /** The dequantized matrix in GPT-2's Conv1D layout, `[in, out]` float32 (for the reference product). */
  dequantizeInOut(): Float32Array {
    const rows = this.dequantizeRows()
    const { inFeatures: inF, outFeatures: out } = this
    const t = new Float32Array(inF * out)
    for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) t[i * out + o] = rows[o * inF + i]!
    return t
  }

  /**
   * `x · Wᵀ + bias` with the WebAssembly SIMD kernels: `x` `[rows, in]` float32, `bias` `[out]`
   * (optional) → `[rows, out]` float32. Accumulates in float32 (q8: exact integer sums within each
   * block of 32, see the kernel source). The activations are copied into the kernels' memory and
   * the result copied out.
   */
  multiply(x: Float32Array, rows: number, bias?: Float32Array): Float32Array {
    this.check()
    const { inFeatures: inF, inPadded: inPad, outFeatures: out } = this
    if (x.length !== rows * inF) throw new RangeError(`${this.name}: ${x.length} activations for ${rows} rows of ${inF}`)
    if (bias && bias.length !== out) throw new RangeError(`${this.name}: bias has ${bias.length} values for ${out} outputs`)
    const xBytes = rows * inPad * 4
    const splitBytes = this.dtype === 'q8' ? rows * inPad * 4 + rows * this.blocks * 8 : 0
    const base = this.memory.scratchAt(xBytes + splitBytes + out * 4 + rows * out * 4)
    const xAt = base
    const xqAt = xAt + xBytes
    const xsAt = xqAt + rows * inPad * 4
    const biasAt = xAt + xBytes + splitBytes
    const yAt = biasAt + out * 4
    const f32 = new Float32Array(this.memory.kernels.memory.buffer)
    if (inPad === inF) f32.set(x, xAt >> 2)
    else
      for (let r = 0; r < rows; r++) {
        f32.set(x.subarray(r * inF, (r + 1) * inF), (xAt >> 2) + r * inPad)
        f32.fill(0, (xAt >> 2) + r * inPad + inF, (xAt >> 2) + (r + 1) * inPad)
      }
    if (bias) f32.set(bias, biasAt >> 2)
    if (this.dtype === 'q8') {
      this.memory.kernels.splitActivations(xAt, rows, inPad, xqAt, xsAt)
      this.memory.linear('q8', [xqAt, xsAt, rows, inPad, this.at, this.scalesAt, bias ? biasAt : 0, yAt], out)
    } else {
      this.memory.linear('f16', [xAt, rows, inPad, this.at, bias ? biasAt : 0, yAt], out)
    }
    return f32.slice(yAt >> 2, (yAt >> 2) + rows * out)
  }

  /** Frees the matrix's memory. It cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return
    this.memory.release(this.at, this.bytes)
    this.disposed = true
  }

  get isDisposed(): boolean {
    return this.disposed
  }

  private quantizeQ8Row(o: number, row: Float32Array): void {
    const q = this.int8().subarray(o * this.inPadded, (o + 1) * this.inPadded)
    const scales = this.scales().subarray(o * this.blocks, (o + 1) * this.blocks)
    for (let b = 0; b < this.blocks; b++) {
      let max = 0
      for (let i = b * Q8_BLOCK; i < (b + 1) * Q8_BLOCK; i++) max = Math.max(max, Math.abs(row[i]!))
      const scale = float16BitToFloat32(float32ToFloat16Bit(max / 127))
      if (scale > F16_MAX) throw this.failed(new QuantizationError('out-of-range', `${this.name}: a block's largest weight ${max} needs a scale beyond float16's range`, this.name))
      scales[b] = scale
      for (let i = b * Q8_BLOCK; i < (b + 1) * Q8_BLOCK; i++) q[i] = scale === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(row[i]! / scale)))
    }
  }

  private int8(): Int8Array {
    return new Int8Array(this.memory.kernels.memory.buffer, this.at, this.outFeatures * this.inPadded)
  }

  private scales(): Float32Array {
    return new Float32Array(this.memory.kernels.memory.buffer, this.scalesAt, this.outFeatures * this.blocks)
  }

  private halfRow(o: number): Uint16Array {
    return new Uint16Array(this.memory.kernels.memory.buffer, this.at + o * this.inPadded * 2, this.inPadded)
  }

  private failed(error: Error): Error {
    this.dispose()
    return error
  }

  private check(): void {
    if (this.disposed) throw new Error(`${this.name}: this quantized matrix has been disposed`)
  }
}
