import type { ByteSource } from './byte-source'
import { CheckpointError } from './errors'
import { PyDict, type StorageRef, type TensorRef } from './pickle'
import { decodeElements, ELEMENT_SIZE, elementCount, type StateDict, type StateDictTensor, type StoredDType } from './tensor-data'

export const STORAGE_DTYPES: Record<string, StoredDType> = {
  FloatStorage: 'float32', HalfStorage: 'float16', BFloat16Storage: 'bfloat16', BoolStorage: 'bool', ByteStorage: 'uint8',
  CharStorage: 'int8', ShortStorage: 'int16', IntStorage: 'int32', LongStorage: 'int64', DoubleStorage: 'float64',
}

/** Views may repeat storage elements (zero or overlapping strides) only up to this many elements in all. */
const MAX_EXPANDED_ELEMENTS = 1 << 16

/** Where a storage's bytes are: the caller has checked that `byteLength` bytes are there. */
export interface StorageBytes {
  offset: number
  byteLength: number
}

/**
 * Turns the unpickled top level of a torch checkpoint into a state dict. Every tensor's view
 * (offset, size, stride) is checked against its storage before any element is read; storages are
 * read and decoded once each, when first used, and shared by the tensors that view them.
 */
export function tensorsFromPickle(
  top: unknown,
  source: ByteSource,
  locate: (storage: StorageRef, tensor: string) => StorageBytes,
): StateDict {
  if (!(top instanceof PyDict)) throw new CheckpointError('not-a-state-dict', `the checkpoint's top level is ${describe(top)}, not a dict of tensors`)
  const decoded = new Map<string, StateDictTensor['data']>()
  const out: StateDict = new Map()
  // Elements copied out of non-contiguous views: bounded by what the file itself holds.
  let copied = 0
  let stored = 0
  for (const [name, value] of top.entries) {
    if (typeof name !== 'string') throw new CheckpointError('not-a-state-dict', `a state dict key is ${describe(name)}, not a string`)
    const t = value as TensorRef
    if (!t || t.kind !== 'tensor') throw new CheckpointError('not-a-state-dict', `'${name}' is ${describe(value)}, not a tensor`, { tensor: name })
    const dtype = STORAGE_DTYPES[t.storage.storageType]
    if (!dtype) throw new CheckpointError('unsupported', `tensor '${name}': unsupported storage type ${t.storage.storageType}`, { tensor: name })
    const count = elementCount(t.size, `tensor '${name}'`)
    if (t.offset < 0) throw new CheckpointError('bad-tensor', `tensor '${name}': negative storage offset ${t.offset}`, { tensor: name })
    if (t.stride.some((s) => s < 0)) throw new CheckpointError('unsupported', `tensor '${name}': negative strides (${t.stride.join(', ')}) are not supported`, { tensor: name })
    // The last element the view touches, overflow-checked.
    let extent = count === 0 ? 0 : t.offset + 1
    for (let d = 0; d < t.size.length && count > 0; d++) extent += (t.size[d]! - 1) * t.stride[d]!
    if (!Number.isSafeInteger(extent) || extent > t.storage.numel)
      throw new CheckpointError('bad-tensor', `tensor '${name}': view (offset ${t.offset}, size [${t.size.join(', ')}], stride [${t.stride.join(', ')}]) extends past its storage of ${t.storage.numel} elements`, { tensor: name, storage: t.storage.key })
    // Zero or overlapping strides read storage elements more than once: a 4-element storage could
    // otherwise become a billion-element tensor. Only a tiny expansion (a broadcast constant) passes.
    const footprint = count === 0 ? 0 : extent - t.offset
    if (count > footprint && count > MAX_EXPANDED_ELEMENTS)
      throw new CheckpointError('bad-tensor', `tensor '${name}': view (size [${t.size.join(', ')}], stride [${t.stride.join(', ')}]) repeats storage elements to make ${count} elements out of ${footprint}: zero or overlapping strides that expand a storage are refused`, { tensor: name, storage: t.storage.key })
    let storage = decoded.get(t.storage.key)
    if (!storage) {
      const where = locate(t.storage, name)
      if (where.byteLength !== t.storage.numel * ELEMENT_SIZE[dtype])
        throw new CheckpointError('size-mismatch', `storage ${t.storage.key} (tensor '${name}'): ${where.byteLength} bytes stored but ${t.storage.numel} ${dtype} elements declared`, { tensor: name, storage: t.storage.key })
      storage = decodeElements(source.read(where.offset, where.byteLength), 0, t.storage.numel, dtype)
      decoded.set(t.storage.key, storage)
      stored += t.storage.numel
    }
    if (!isContiguous(t)) {
      copied += count
      if (copied > 2 * stored + MAX_EXPANDED_ELEMENTS)
        throw new CheckpointError('bad-tensor', `tensor '${name}': the checkpoint's strided views would copy ${copied} elements out of ${stored} stored: refused as unbounded work`, { tensor: name, storage: t.storage.key })
    }
    out.set(name, { dtype, shape: t.size.slice(), data: gather(storage, t, count) })
  }
  return out
}

/** Whether the view is its storage's elements in row-major order (size-1 dimensions may have any stride). */
function isContiguous(t: TensorRef): boolean {
  let expected = 1
  for (let d = t.size.length - 1; d >= 0; d--) {
    if (t.size[d] !== 1 && t.stride[d] !== expected) return false
    expected *= t.size[d]!
  }
  return true
}

/** The view's elements in row-major order (a subarray when the view is contiguous). */
function gather(storage: StateDictTensor['data'], t: TensorRef, count: number): StateDictTensor['data'] {
  if (isContiguous(t)) return storage.subarray(t.offset, t.offset + count)
  const out = new (storage.constructor as Float32ArrayConstructor)(count)
  const index = new Array<number>(t.size.length).fill(0)
  for (let i = 0; i < count; i++) {
    let at = t.offset
    for (let d = 0; d < index.length; d++) at += index[d]! * t.stride[d]!
    out[i] = storage[at]!
    for (let d = index.length - 1; d >= 0; d--) {
      if (++index[d]! < t.size[d]!) break
      index[d] = 0
    }
  }
  return out
}

function describe(x: unknown): string {
  if (x === null) return 'None'
  if (Array.isArray(x)) return 'a list'
  if (x instanceof PyDict) return 'a dict'
  return typeof x === 'object' ? (x.constructor?.name ?? 'an object') : typeof x
}
