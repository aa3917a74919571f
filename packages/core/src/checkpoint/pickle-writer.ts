import { PyDict, PyTuple } from './pickle'
import type { StoredDType } from './tensor-data'

/** A float that must stay a Python `float` even when its value is whole (`1.0`, `0.0`). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** An `OrderedDict` (what `torch.save(model.state_dict())` writes at the top). */
export class PyOrderedDict extends PyDict {}

/** A storage's raw little-endian bytes, written once however many tensors view it. */
export interface TorchStorage {
  dtype: StoredDType
  /** Elements in the storage. */
  numel: number
  /** The bytes (`numel` × element size), or a function giving them when the storage is written (so a big file needs one storage in memory at a time). */
  bytes: Uint8Array | (() => Uint8Array | Promise<Uint8Array>)
}

/** A tensor as `torch._utils._rebuild_tensor_v2` describes it: a view of a storage. */
export class TorchTensor {
  constructor(
    readonly storage: TorchStorage,
    readonly offset: number,
    readonly size: readonly number[],
    readonly stride: readonly number[],
    readonly requiresGrad = false,
  ) {}

  /** A contiguous tensor over a storage of its own. */
  static contiguous(dtype: StoredDType, shape: readonly number[], bytes: TorchStorage['bytes']): TorchTensor {
    const numel = shape.reduce((a, b) => a * b, 1)
    const stride = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1))
    return new TorchTensor({ dtype, numel, bytes }, 0, shape, stride)
  }
}

/** What the writer can pickle: the values a state dict or an optimizer's `state_dict()` holds. */
export type PyValue = null | boolean | number | bigint | string | PyFloat | PyValue[] | PyTuple | PyDict | TorchTensor

const STORAGE_CLASS: Record<StoredDType, string> = {
  float32: 'FloatStorage', float16: 'HalfStorage', bfloat16: 'BFloat16Storage', bool: 'BoolStorage', uint8: 'ByteStorage',
  int8: 'CharStorage', int16: 'ShortStorage', int32: 'IntStorage', int64: 'LongStorage', float64: 'DoubleStorage',
}

/**
 * Encodes one pickle (protocol 2, the opcodes `torch.save` uses) of `value`. Tensors become
 * `_rebuild_tensor_v2` calls over persistent-id storages; `storageKey` names each distinct storage
 * (first use first) and `legacy` adds the sixth, `None` view-metadata item of the pre-1.6 format.
 */
export function pickle(value: PyValue, storageKey: (storage: TorchStorage) => string, options: { legacy?: boolean; location?: string } = {}): Uint8Array {
  const out = new ByteSink()
  out.byte(0x80, 2) // PROTO 2
  const write = (v: PyValue): void => {
    if (v === null) return out.byte(0x4e)
    if (v === true) return out.byte(0x88)
    if (v === false) return out.byte(0x89)
    if (typeof v === 'bigint') return out.long(v)
    if (typeof v === 'number') return Number.isSafeInteger(v) ? out.int(v) : out.float(v)
    if (v instanceof PyFloat) return out.float(v.value)
    if (typeof v === 'string') return out.unicode(v)
    if (Array.isArray(v)) {
      out.byte(0x5d) // EMPTY_LIST
      if (v.length === 0) return
      out.byte(0x28) // MARK
      v.forEach(write)
      return out.byte(0x65) // APPENDS
    }
    if (v instanceof PyTuple) {
      if (v.items.length === 0) return out.byte(0x29)
      if (v.items.length <= 3) {
        ;(v.items as PyValue[]).forEach(write)
        return out.byte([0x85, 0x86, 0x87][v.items.length - 1]!)
      }
      out.byte(0x28)
      ;(v.items as PyValue[]).forEach(write)
      return out.byte(0x74) // TUPLE
    }
    if (v instanceof PyDict) {
      if (v instanceof PyOrderedDict) {
        out.global('collections', 'OrderedDict')
        out.byte(0x29, 0x52) // EMPTY_TUPLE, REDUCE
      } else out.byte(0x7d) // EMPTY_DICT
      if (v.entries.size === 0) return
      out.byte(0x28)
      for (const [k, item] of v.entries) {
        write(k as PyValue)
        write(item as PyValue)
      }
      return out.byte(0x75) // SETITEMS
    }
    if (v instanceof TorchTensor) {
      out.global('torch._utils', '_rebuild_tensor_v2')
      out.byte(0x28) // MARK: the argument tuple
      out.byte(0x28) // MARK: the persistent id
      out.unicode('storage')
      out.global('torch', STORAGE_CLASS[v.storage.dtype])
      out.unicode(storageKey(v.storage))
      out.unicode(options.location ?? 'cpu')
      out.int(v.storage.numel)
      if (options.legacy) out.byte(0x4e)
      out.byte(0x74, 0x51) // TUPLE, BINPERSID
      out.int(v.offset)
      write(new PyTuple([...v.size]))
      write(new PyTuple([...v.stride]))
      write(v.requiresGrad)
      write(new PyOrderedDict()) // backward hooks
      out.byte(0x74, 0x52) // TUPLE, REDUCE
      return
    }
    throw new TypeError(`cannot pickle ${typeof v === 'object' ? (v as object).constructor?.name : typeof v}`)
  }
  write(value)
  out.byte(0x2e) // STOP
  return out.bytes()
}

/** A growable byte buffer with the pickle primitives. */
class ByteSink {
  private buf = new Uint8Array(1024)
  private n = 0
  private view = new DataView(this.buf.buffer)

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k))
    next.set(this.buf.subarray(0, this.n))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  byte(...b: number[]): void {
    this.room(b.length)
    for (const x of b) this.buf[this.n++] = x
  }

  raw(b: Uint8Array): void {
    this.room(b.length)
    this.buf.set(b, this.n)
    this.n += b.length
  }

  int(v: number): void {
    if (v >= 0 && v < 256) return this.byte(0x4b, v) // BININT1
    if (v >= 0 && v < 65536) return this.byte(0x4d, v & 0xff, v >>> 8) // BININT2
    if (v >= -(2 ** 31) && v < 2 ** 31) {
      this.byte(0x4a) // BININT
      this.room(4)
      this.view.setInt32(this.n, v, true)
      this.n += 4
      return
    }
    this.long(BigInt(v))
  }

  /** LONG1: little-endian two's complement, as short as it can be. */
  long(v: bigint): void {
    const bytes: number[] = []
    let x = v
    for (;;) {
      const b = Number(x & 0xffn)
      bytes.push(b)
      x >>= 8n
      if ((x === 0n && !(b & 0x80)) || (x === -1n && b & 0x80)) break
    }
    this.byte(0x8a, bytes.length, ...bytes)
  }

  float(v: number): void {
    this.byte(0x47) // BINFLOAT: big-endian double
    this.room(8)
    this.view.setFloat64(this.n, v, false)
    this.n += 8
  }

  unicode(s: string): void {
    const utf8 = new TextEncoder().encode(s)
    this.byte(0x58) // BINUNICODE
    this.room(4)
    this.view.setUint32(this.n, utf8.length, true)
    this.n += 4
    this.raw(utf8)
  }

  global(module: string, name: string): void {
    this.byte(0x63)
    this.raw(new TextEncoder().encode(`${module}\n${name}\n`))
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.n)
  }
}
