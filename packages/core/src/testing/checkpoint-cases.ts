// Generated checkpoint files for the readers' fuzz test and benchmark: honest files and the kinds of
// hostile ones that once cost minutes and gigabytes (huge or lying header lengths, deep nesting,
// hundreds of thousands of tensors, strides that expand a storage, absurd block indices). Each case
// knows what an honest read of it must give, so a test can tell "typed error or correct read".
import { PyOrderedDict, TorchTensor, type TorchStorage } from '../checkpoint/pickle-writer'
import { MemorySink, writeTorchLegacy, writeTorchZip } from '../checkpoint/torch-writer'
import { seededRandom } from '@dialogpt/data'
import { ELEMENT_SIZE, type StoredDType } from '../checkpoint/tensor-data'

export type Reader = 'safetensors' | 'torch-zip' | 'torch-legacy'

/** A generated file and, for each tensor, the values a correct read returns (as numbers). */
export interface CheckpointCase {
  kind: string
  bytes: Uint8Array
  /** Expected values by tensor name, when the case is well formed enough to have them. */
  expected: Map<string, { shape: number[]; values: ArrayLike<number> }>
}

/** The seeded generator the cases are drawn from (the same seed makes the same cases). */
export const seeded = (seed: number): (() => number) => seededRandom(seed)

const SAFETENSORS_DTYPES: [string, StoredDType][] = [
  ['F32', 'float32'],
  ['F16', 'float16'],
  ['BF16', 'bfloat16'],
  ['I64', 'int64'],
  ['BOOL', 'bool'],
  ['U8', 'uint8'],
]

/** Values that survive a round trip through `dtype` exactly (so expected values are exact). */
function exactValues(dtype: StoredDType, n: number, random: () => number): number[] {
  return Array.from({ length: n }, () => {
    if (dtype === 'bool') return random() < 0.5 ? 0 : 1
    if (dtype === 'uint8') return Math.floor(random() * 256)
    if (dtype === 'int64' || dtype === 'int32' || dtype === 'int16' || dtype === 'int8') return Math.floor(random() * 200) - 100
    return (Math.floor(random() * 512) - 256) / 64 // exact in f16, bf16 and f32
  })
}

/** Little-endian bytes of `values` in `dtype`. */
function encode(dtype: StoredDType, values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * ELEMENT_SIZE[dtype])
  const v = new DataView(out.buffer)
  values.forEach((x, i) => {
    switch (dtype) {
      case 'float32':
        return v.setFloat32(i * 4, x, true)
      case 'float64':
        return v.setFloat64(i * 8, x, true)
      case 'float16':
      case 'bfloat16': {
        const f = new DataView(new ArrayBuffer(4))
        f.setFloat32(0, x)
        const bits = f.getUint32(0)
        if (dtype === 'bfloat16') return v.setUint16(i * 2, bits >>> 16, true)
        // x is a multiple of 1/64 in [-4, 4): exact as a normal float16 (or zero).
        const sign = (bits >>> 16) & 0x8000
        const exp = ((bits >>> 23) & 0xff) - 127 + 15
        return v.setUint16(i * 2, x === 0 ? 0 : sign | (exp << 10) | ((bits >>> 13) & 0x3ff), true)
      }
      case 'int64':
        return v.setBigInt64(i * 8, BigInt(x), true)
      case 'int32':
        return v.setInt32(i * 4, x, true)
      case 'int16':
        return v.setInt16(i * 2, x, true)
      case 'int8':
        return v.setInt8(i, x)
      default:
        return v.setUint8(i, x)
    }
  })
  return out
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!
const int = (random: () => number, n: number) => Math.floor(random() * n)

/** A tensor name: mostly GPT-2's, with block indices that are sometimes absurd or leave gaps. */
function tensorName(random: () => number, i: number): string {
  const r = random()
  if (r < 0.5) return `transformer.h.${i}.ln_1.weight`
  if (r < 0.6) return `transformer.h.${pick(random, [999_999_999, 2 ** 53, 10 ** 30, 1e6, i + 2])}.mlp.c_fc.weight`
  if (r < 0.7) return pick(random, ['transformer.wte.weight', 'transformer.wpe.weight', 'lm_head.weight', 'module.transformer.ln_f.bias'])
  return `t${i}`
}

/** A safetensors file from its header text and data section (optionally with a lying header length). */
export function safetensorsFile(header: string, data: Uint8Array = new Uint8Array(0), declaredLength?: bigint): Uint8Array {
  const h = new TextEncoder().encode(header)
  const out = new Uint8Array(8 + h.length + data.length)
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(h.length), true)
  out.set(h, 8)
  out.set(data, 8 + h.length)
  return out
}

/** One generated safetensors case. */
export function safetensorsCase(random: () => number): CheckpointCase {
  const kind = pick(random, ['honest', 'honest', 'header-length', 'nesting', 'many-tensors', 'wide-values', 'offsets', 'shape', 'metadata', 'index'])
  const expected: CheckpointCase['expected'] = new Map()
  const entries: Record<string, unknown> = {}
  const parts: Uint8Array[] = []
  let offset = 0
  // The largest variants are rare, so that thousands of cases stay quick to generate.
  const rare = random() < 0.05
  const count = kind === 'many-tensors' ? (rare ? 120_000 : pick(random, [50, 500, 2000])) : 1 + int(random, 8)
  for (let i = 0; i < count; i++) {
    const name = kind === 'index' || kind === 'honest' ? tensorName(random, i) : `t${i}`
    if (entries[name]) continue
    if (kind === 'many-tensors') {
      entries[name] = { dtype: 'F32', shape: [0], data_offsets: [offset, offset] }
      expected.set(name, { shape: [0], values: [] })
      continue
    }
    const [st, dtype] = pick(random, SAFETENSORS_DTYPES)
    const shape = Array.from({ length: int(random, 4) }, () => int(random, 5))
    const n = shape.reduce((a, b) => a * b, 1)
    const values = exactValues(dtype, n, random)
    const bytes = encode(dtype, values)
    entries[name] = { dtype: st, shape, data_offsets: [offset, offset + bytes.length] }
    expected.set(name, { shape, values })
    parts.push(bytes)
    offset += bytes.length
  }
  const data = new Uint8Array(offset)
  let at = 0
  for (const p of parts) {
    data.set(p, at)
    at += p.length
  }
  const first = Object.keys(entries)[0]!
  const firstEntry = entries[first] as { shape: number[]; data_offsets: number[]; dtype: string }
  if (kind === 'wide-values' || kind === 'offsets' || kind === 'shape') expected.delete(first)
  let declared: bigint | undefined
  switch (kind) {
    case 'header-length':
      declared = pick(random, [0n, 7n, 2n ** 63n, 100_000_001n, 2n ** 32n, BigInt(JSON.stringify(entries).length + int(random, 64) - 32)])
      break
    case 'nesting': {
      const depth = rare ? 400_000 : pick(random, [2, 4, 50, 5_000])
      entries.__metadata__ = { deep: `${'['.repeat(depth)}${']'.repeat(depth)}` }
      const header = JSON.stringify(entries).replace(`"${'['.repeat(depth)}${']'.repeat(depth)}"`, `${'['.repeat(depth)}${']'.repeat(depth)}`)
      return { kind, bytes: safetensorsFile(header, data), expected }
    }
    case 'wide-values':
      firstEntry.shape = new Array(rare ? 2_000_000 : pick(random, [10, 1000])).fill(1)
      break
    case 'offsets':
      firstEntry.data_offsets = [pick(random, [-1, 0, 1, 2 ** 53, 1e300]), pick(random, [0, 3, 2 ** 40, offset + 4])]
      break
    case 'shape':
      firstEntry.shape = pick(random, [[-1], [2 ** 31, 2 ** 31], [1e20], ['4'], [1.5], [2 ** 53, 2]]) as number[]
      break
    case 'metadata':
      entries.__metadata__ = pick(random, [{ format: 'pt' }, { format: 1 }, { a: [] }, [], 'pt', null, { nested: { a: 'b' } }])
      break
  }
  return { kind, bytes: safetensorsFile(JSON.stringify(entries), data, declared), expected }
}

/** One generated torch case (zip or legacy container), built with our torch writer. */
export async function torchCase(random: () => number, legacy: boolean): Promise<CheckpointCase> {
  const kind = pick(random, ['honest', 'honest', 'views', 'zero-stride', 'overlap', 'outside', 'padded-storage', 'index', 'many-views'])
  const dict = new PyOrderedDict()
  const expected: CheckpointCase['expected'] = new Map()
  const storages: { storage: TorchStorage; values: number[] }[] = []
  const newStorage = (numel: number) => {
    const dtype = pick(random, ['float32', 'float16', 'bfloat16', 'int64', 'bool'] as const)
    const values = exactValues(dtype, numel, random)
    const s = { storage: { dtype, numel, bytes: encode(dtype, values) }, values }
    storages.push(s)
    return s
  }
  const count = kind === 'many-views' ? 100 : 1 + int(random, 6)
  const shared = newStorage(kind === 'many-views' ? 20_000 : 4 + int(random, 60))
  for (let i = 0; i < count; i++) {
    const name = kind === 'index' ? tensorName(random, i) : `t${i}`
    if (dict.entries.has(name)) continue
    const { storage, values } = random() < 0.5 || kind === 'many-views' ? shared : newStorage(1 + int(random, 40))
    let size: number[]
    let stride: number[]
    let offset = 0
    switch (kind) {
      case 'zero-stride':
        size = [pick(random, [3, 1000, 1e6, 1e9])]
        stride = [0]
        break
      case 'overlap':
        size = new Array(pick(random, [2, 12, 17, 24])).fill(2)
        stride = size.map(() => 1)
        break
      case 'outside':
        size = [storage.numel + int(random, 3) + 1]
        stride = [1]
        offset = pick(random, [0, -1, storage.numel, 2 ** 53])
        break
      case 'many-views':
        size = [100, 200]
        stride = [1, 100] // a transposed view: copied on read
        break
      default: {
        // A view that fits: row-major or transposed over [rows, cols] inside the storage.
        const cols = 1 + int(random, Math.max(1, Math.min(8, storage.numel)))
        const rows = Math.max(1, Math.floor((storage.numel - 0) / cols))
        const transposed = kind === 'views' && random() < 0.5
        size = transposed ? [cols, rows] : [rows, cols]
        stride = transposed ? [1, cols] : [cols, 1]
        offset = 0
      }
    }
    const tensor = new TorchTensor(kind === 'padded-storage' && random() < 0.5 ? { ...storage, numel: storage.numel * 2 } : storage, offset, size, stride)
    dict.entries.set(name, tensor)
    // The values a correct read gives (only when the view fits its storage).
    const n = size.reduce((a, b) => a * b, 1)
    let extent = offset + 1
    size.forEach((d, k) => (extent += (d - 1) * stride[k]!))
    if (n <= 65536 && kind !== 'many-views' && offset >= 0 && extent <= storage.numel && tensor.storage === storage) {
      const out = new Array<number>(n)
      const index = size.map(() => 0)
      for (let e = 0; e < n; e++) {
        let p = offset
        index.forEach((x, k) => (p += x * stride[k]!))
        out[e] = values[p]!
        for (let k = size.length - 1; k >= 0; k--) {
          if (++index[k]! < size[k]!) break
          index[k] = 0
        }
      }
      expected.set(name, { shape: size, values: out })
    }
  }
  const sink = new MemorySink()
  // A storage whose declared numel was doubled has too few bytes: the writer refuses, so write the honest bytes under the wrong count by hand.
  for (const t of dict.entries.values()) {
    const s = (t as TorchTensor).storage
    const want = s.numel * ELEMENT_SIZE[s.dtype]
    if (typeof s.bytes !== 'function' && s.bytes.length !== want) {
      const padded = new Uint8Array(want)
      padded.set(s.bytes.subarray(0, Math.min(want, s.bytes.length)))
      ;(s as { bytes: Uint8Array }).bytes = padded
    }
  }
  if (legacy) await writeTorchLegacy(dict, sink)
  else await writeTorchZip(dict, sink)
  return { kind, bytes: sink.bytes(), expected }
}
