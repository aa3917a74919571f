import { CheckpointError } from './errors'

/** Element types found in GPT-2 checkpoints. */
export type StoredDType = 'float32' | 'float16' | 'bfloat16' | 'bool' | 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'float64'

/** One tensor of a state dict: floating types are decoded to float32, the rest kept as integers. */
export interface StateDictTensor {
  /** The dtype the file stored it in. */
  dtype: StoredDType
  shape: number[]
  /** Float tensors (f16/bf16/f32/f64) as Float32Array; int8 as Int8Array (a view of the bytes, as quantized weights are read); bool/uint8/int16/int32 as Int32Array; int64 as Float64Array. */
  data: Float32Array | Int32Array | Int8Array | Float64Array
}

/** A checkpoint's tensors by name, in the file's order. */
export type StateDict = Map<string, StateDictTensor>

export const ELEMENT_SIZE: Record<StoredDType, number> = {
  float32: 4, float16: 2, bfloat16: 2, bool: 1, uint8: 1, int8: 1, int16: 2, int32: 4, int64: 8, float64: 8,
}

/** Product of a shape, refusing anything that is not a safe non-negative integer count. */
export function elementCount(shape: readonly number[], what: string): number {
  let n = 1
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new CheckpointError('bad-tensor', `${what}: shape entries must be non-negative integers, got [${shape.join(', ')}]`, { tensor: what })
    n *= d
    if (!Number.isSafeInteger(n)) throw new CheckpointError('bad-tensor', `${what}: shape [${shape.join(', ')}] is too large`, { tensor: what })
  }
  return n
}

const f16Table = (() => {
  // Every float16 bit pattern decoded once: exact, subnormals included.
  const t = new Float32Array(65536)
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1
    const exp = (h >> 10) & 0x1f
    const frac = h & 0x3ff
    t[h] = exp === 0 ? sign * frac * 2 ** -24 : exp === 31 ? (frac ? Number.NaN : sign * Infinity) : sign * (1 + frac / 1024) * 2 ** (exp - 15)
  }
  return t
})()

/**
 * Decodes `count` little-endian elements of `dtype` from `bytes` at `offset`, reading through a
 * DataView-free path that works at any alignment. Floats become float32. Aligned float32 and int32
 * data, and int8 data, are views of `bytes` (they share its memory); everything else is a fresh array.
 */
export function decodeElements(bytes: Uint8Array, offset: number, count: number, dtype: StoredDType): StateDictTensor['data'] {
  const size = ELEMENT_SIZE[dtype]
  if (offset < 0 || offset + count * size > bytes.length) throw new CheckpointError('truncated', `tensor data ends past the buffer (${offset + count * size} > ${bytes.length})`)
  // Aligned float32 (safetensors always, torch files sometimes) is returned as a view of `bytes`:
  // no copy of a half-gigabyte model.
  const at = bytes.byteOffset + offset
  if (dtype === 'float32' && at % 4 === 0) return new Float32Array(bytes.buffer, at, count)
  if (dtype === 'int32' && at % 4 === 0) return new Int32Array(bytes.buffer, at, count)
  if (dtype === 'int8') return new Int8Array(bytes.buffer, at, count)
  // Otherwise copy to an aligned buffer first: checkpoint payloads often sit at odd offsets.
  const raw = new Uint8Array(count * size)
  raw.set(bytes.subarray(offset, offset + count * size))
  switch (dtype) {
    case 'float32':
      return new Float32Array(raw.buffer, 0, count)
    case 'float64':
      return Float32Array.from(new Float64Array(raw.buffer, 0, count))
    case 'float16':
      return float16BitsToFloat32(new Uint16Array(raw.buffer, 0, count))
    case 'bfloat16': {
      const h = new Uint16Array(raw.buffer, 0, count)
      const bits = new Uint32Array(count)
      for (let i = 0; i < count; i++) bits[i] = h[i]! << 16
      return new Float32Array(bits.buffer)
    }
    case 'bool':
    case 'uint8':
      return Int32Array.from(raw)
    case 'int16':
      return Int32Array.from(new Int16Array(raw.buffer, 0, count))
    case 'int32':
      return new Int32Array(raw.buffer, 0, count)
    case 'int64':
      return Float64Array.from(new BigInt64Array(raw.buffer, 0, count), (x) => Number(x))
  }
}

/** One float16 bit pattern's value (exact). */
export function float16BitToFloat32(bits: number): number {
  return f16Table[bits & 0xffff]!
}

/** float16 bits to float32 values (exact, subnormals included). */
export function float16BitsToFloat32(bits: Uint16Array, out: Float32Array = new Float32Array(bits.length)): Float32Array {
  for (let i = 0; i < bits.length; i++) out[i] = f16Table[bits[i]!]!
  return out
}

/** Rounds float32 values to float16 bits (round to nearest, ties to even), as `tensor.half()` does. */
export function float32ToFloat16Bits(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length)
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bit(values[i]!)
  return out
}

const oneFloat = new Float32Array(1)
const oneFloatBits = new Uint32Array(oneFloat.buffer)

/** One float32 value's float16 bits (round to nearest, ties to even; beyond the range: ±infinity). */
export function float32ToFloat16Bit(value: number): number {
  oneFloat[0] = value
  const x = oneFloatBits[0]!
  const sign = (x >>> 16) & 0x8000
  const exp = (x >>> 23) & 0xff
  let mant = x & 0x7fffff
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0)
  const e = exp - 127 + 15
  if (e >= 31) return sign | 0x7c00
  if (e <= 0) {
    if (e < -10) return sign
    mant |= 0x800000
    const shift = 14 - e
    let h = mant >>> shift
    const rem = mant & ((1 << shift) - 1)
    const half = 1 << (shift - 1)
    if (rem > half || (rem === half && h & 1)) h++
    return sign | h
  }
  let h = (e << 10) | (mant >>> 13)
  const rem = mant & 0x1fff
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++
  return sign | h
}

/** Rounds float32 values to bfloat16 bits (round to nearest, ties to even). */
export function float32ToBfloat16Bits(values: Float32Array): Uint16Array {
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length)
  const out = new Uint16Array(values.length)
  for (let i = 0; i < u.length; i++) {
    const x = u[i]!
    out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16
  }
  return out
}

/** A plain `Uint8Array` over the same memory as `bytes` (a Node `Buffer`, say), without copying it. */
export function asBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** `parts` joined into one buffer, in order. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
