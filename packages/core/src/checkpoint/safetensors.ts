import { asSource, type ByteSource } from './byte-source'
import { CheckpointError } from './errors'
import { topLevelKeys } from './json-keys'
import { concatBytes, decodeElements, ELEMENT_SIZE, elementCount, float32ToBfloat16Bits, float32ToFloat16Bits, type StateDict, type StoredDType } from './tensor-data'

/** safetensors dtype names and ours. */
const DTYPES: Record<string, StoredDType> = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
}

/** Headers larger than this are refused, as the reference implementation does (100 MB). */
const MAX_HEADER_BYTES = 100_000_000
/**
 * A header is `{ name: { dtype, shape: [...], data_offsets: [...] }, __metadata__: { key: value } }`:
 * three levels. Deeper nesting is refused before parsing (a 98 MB header of `[` took 51 s and 4.9 GB).
 */
const MAX_HEADER_DEPTH = 3
/** The largest published models have a few thousand tensors per file; far more is refused before parsing. */
const MAX_TENSORS = 100_000

/** True when the bytes look like a safetensors file: an 8-byte length, then a JSON header (`{`, or `[` for a malformed one). */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  return bytes.length >= 9 && (bytes[8] === 0x7b || bytes[8] === 0x5b)
}

/**
 * Reads a safetensors file. Every header entry is checked before any tensor is decoded: known
 * dtype, non-negative integer shape, offsets in order and inside the data section, byte span equal
 * to the shape times the element size, no overlaps, no holes, no duplicate names.
 * Floating-point tensors (F16, BF16, F32, F64) come back as float32. From bytes in memory, F32
 * (and I32) tensors are views of them, not copies: do not reuse that buffer while the tensors are
 * in use. From a {@link ByteSource} (a file of any size) each tensor is read on its own.
 */
export function readSafetensors(input: Uint8Array | ByteSource): { tensors: StateDict; metadata: Record<string, string> } {
  const source = asSource(input)
  const size = source.length
  if (size < 8) throw new CheckpointError('truncated', `safetensors file is ${size} bytes: it ends inside the 8-byte header length`)
  const first = source.read(0, 8)
  const headerLength = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true)
  if (headerLength > BigInt(MAX_HEADER_BYTES)) throw new CheckpointError('corrupt', `safetensors header length ${headerLength} exceeds the 100 MB limit`, { offset: 0 })
  const n = Number(headerLength)
  if (8 + n > size) throw new CheckpointError('truncated', `safetensors header length ${n} exceeds the file (${size} bytes): the file is truncated or corrupt`, { offset: 0 })
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(source.read(8, n))
  } catch {
    throw new CheckpointError('corrupt', 'safetensors header is not valid UTF-8', { offset: 8 })
  }
  if (!/^\s*\{/.test(text)) throw new CheckpointError('corrupt', 'safetensors header must be a JSON object', { offset: 8 })
  const keys = topLevelKeys(text, { maxDepth: MAX_HEADER_DEPTH, maxKeys: MAX_TENSORS + 1, maxItems: 16 * MAX_TENSORS, what: 'the safetensors header' })
  let header: unknown
  try {
    header = JSON.parse(text)
  } catch {
    throw new CheckpointError('corrupt', 'safetensors header is not valid JSON', { offset: 8 })
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new CheckpointError('corrupt', 'safetensors header must be a JSON object', { offset: 8 })
  const seen = new Set<string>()
  for (const k of keys) {
    if (seen.has(k)) throw new CheckpointError('duplicate-tensor', `safetensors header names tensor '${k}' twice`, { tensor: k })
    seen.add(k)
  }

  const dataStart = 8 + n
  const dataLength = size - dataStart
  const entries: { name: string; dtype: StoredDType; shape: number[]; begin: number; end: number }[] = []
  let metadata: Record<string, string> = {}
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new CheckpointError('corrupt', '__metadata__ must be an object of strings')
      for (const [key, value] of Object.entries(raw)) if (typeof value !== 'string') throw new CheckpointError('corrupt', `__metadata__ entry '${key}' is ${Array.isArray(value) ? 'an array' : typeof value}, not a string`)
      metadata = raw as Record<string, string>
      continue
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown }
    if (info === null || typeof info !== 'object') throw new CheckpointError('bad-tensor', `tensor '${name}': header entry is not an object`, { tensor: name })
    const dtype = typeof info.dtype === 'string' ? DTYPES[info.dtype] : undefined
    if (!dtype) throw new CheckpointError('unsupported', `tensor '${name}': unknown dtype ${JSON.stringify(info.dtype)}`, { tensor: name })
    if (!Array.isArray(info.shape)) throw new CheckpointError('bad-tensor', `tensor '${name}': shape must be an array`, { tensor: name })
    const shape = info.shape as number[]
    const count = elementCount(shape, `tensor '${name}'`)
    const offsets = info.data_offsets
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
      throw new CheckpointError('bad-tensor', `tensor '${name}': data_offsets must be two non-negative integers`, { tensor: name })
    const [begin, end] = offsets as [number, number]
    if (begin > end) throw new CheckpointError('bad-tensor', `tensor '${name}': data_offsets [${begin}, ${end}] are reversed`, { tensor: name })
    if (end > dataLength)
      throw new CheckpointError('truncated', `tensor '${name}': data_offsets end at ${end}, past the data section (${dataLength} bytes): the file is truncated or corrupt`, { tensor: name })
    if (end - begin !== count * ELEMENT_SIZE[dtype])
      throw new CheckpointError('size-mismatch', `tensor '${name}': shape [${shape.join(', ')}] of ${dtype} needs ${count * ELEMENT_SIZE[dtype]} bytes but data_offsets span ${end - begin}`, { tensor: name })
    entries.push({ name, dtype, shape, begin, end })
  }
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end)
  let covered = 0
  for (let i = 0; i < byOffset.length; i++) {
    const e = byOffset[i]!
    if (e.begin < covered) {
      const other = byOffset[i - 1]!
      throw new CheckpointError('corrupt', `tensors '${other.name}' and '${e.name}' have overlapping data_offsets`, { tensor: e.name })
    }
    if (e.begin > covered) throw new CheckpointError('corrupt', `the data section has a hole of ${e.begin - covered} bytes before tensor '${e.name}'`, { tensor: e.name })
    covered = e.end
  }
  if (covered !== dataLength) throw new CheckpointError('corrupt', `the data section has ${dataLength - covered} bytes after the last tensor that no tensor covers`)

  const tensors: StateDict = new Map()
  for (const e of entries) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: decodeElements(source.read(dataStart + e.begin, e.end - e.begin), 0, elementCount(e.shape, e.name), e.dtype) })
  }
  return { tensors, metadata }
}

/** How {@link writeSafetensors} stores floating-point tensors. */
export type SafetensorsFloatType = 'F32' | 'F16' | 'BF16'

/**
 * What {@link writeSafetensors} and {@link safetensorsPieces} take: float32 tensors (stored as the
 * writer's `dtype`), or tensors already encoded, with their own safetensors dtype and bytes (the
 * int8 values and float16 scales of a quantized checkpoint).
 */
export type SafetensorsInput = Iterable<[string, { shape: readonly number[]; data: Float32Array } | EncodedTensor]>

/** A tensor already in its stored bytes: `dtype` is a safetensors dtype (`'I8'`, `'F16'`, …). */
export interface EncodedTensor {
  shape: readonly number[]
  dtype: string
  bytes: Uint8Array
}

/**
 * A safetensors file as pieces, in order: the length and header, then each tensor's bytes (float32
 * data is not copied; F16/BF16 is converted one tensor at a time). Write them one after another to
 * produce a file of any size with one tensor's conversion in memory at a time. Hugging Face
 * `safetensors` / `transformers` read the result: names sorted, `__metadata__` `{ format: 'pt' }`
 * first, header padded with spaces to 8 bytes.
 */
export function* safetensorsPieces(tensors: SafetensorsInput, options: { dtype?: SafetensorsFloatType; metadata?: Record<string, string> } = {}): Generator<Uint8Array> {
  const dtype = options.dtype ?? 'F32'
  const size = dtype === 'F32' ? 4 : 2
  const list = [...tensors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', ...options.metadata } }
  let offset = 0
  for (const [name, t] of list) {
    const count = elementCount(t.shape, name)
    const encoded = 'bytes' in t
    if (encoded && !(t.dtype in DTYPES)) throw new CheckpointError('bad-tensor', `tensor '${name}': unknown safetensors dtype '${t.dtype}'`, { tensor: name })
    const bytes = encoded ? count * ELEMENT_SIZE[DTYPES[t.dtype]!] : count * size
    if (encoded ? t.bytes.length !== bytes : count !== t.data.length)
      throw new CheckpointError('bad-tensor', `tensor '${name}': shape [${t.shape.join(', ')}] has ${count} elements but the data has ${encoded ? `${t.bytes.length} bytes` : t.data.length}`, { tensor: name })
    header[name] = { dtype: encoded ? t.dtype : dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] }
    offset += bytes
  }
  let json = JSON.stringify(header)
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8)
  const headerBytes = new TextEncoder().encode(json)
  // Pad again in case non-ASCII names made the byte length differ from the string length.
  const pad = (8 - ((headerBytes.length + 8) % 8)) % 8
  const head = new Uint8Array(8 + headerBytes.length + pad)
  new DataView(head.buffer).setBigUint64(0, BigInt(headerBytes.length + pad), true)
  head.set(headerBytes, 8)
  head.fill(0x20, 8 + headerBytes.length)
  yield head
  for (const [, t] of list) {
    if ('bytes' in t) yield t.bytes
    else
      yield dtype === 'F32' ? new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) : new Uint8Array((dtype === 'F16' ? float32ToFloat16Bits(t.data) : float32ToBfloat16Bits(t.data)).buffer)
  }
}

/** {@link safetensorsPieces} joined into one buffer (for files that fit in one). */
export function writeSafetensors(tensors: SafetensorsInput, options: { dtype?: SafetensorsFloatType; metadata?: Record<string, string> } = {}): Uint8Array {
  return concatBytes([...safetensorsPieces(tensors, options)])
}
