import { asSource, type ByteSource } from './byte-source'
import { CheckpointError } from './errors'
import { PyDict, storagePersistentId, unpickle, type StorageRef } from './pickle'
import { ELEMENT_SIZE, type StateDict } from './tensor-data'
import { STORAGE_DTYPES, tensorsFromPickle } from './torch-tensors'

const MAGIC = 0x1950a86a20f9469cfc6cn
const PROTOCOL_VERSION = 1001

/** How every legacy (pre-1.6) torch checkpoint starts: PROTO 2, then a 10-byte LONG1 (the magic number, checked by the reader). */
export const LEGACY_PREFIX = [0x80, 0x02, 0x8a, 0x0a]

/** The five header pickles are read from the file's start: first this many bytes, more if they run past it. */
const FIRST_WINDOW = 1 << 20

/** The pickles before the storages: the state dict, its storages, the storage key order, and where the storages start. */
interface LegacyHeader {
  main: unknown
  storages: Map<string, StorageRef>
  keys: string[]
  end: number
}

function readHeader(bytes: Uint8Array): LegacyHeader {
  const noPid = (_: unknown, offset: number) => {
    throw new CheckpointError('corrupt', `unexpected persistent id in a legacy header pickle (pickle byte offset ${offset})`, { offset })
  }
  const magic = unpickle(bytes, 0, noPid)
  if (magic.value !== MAGIC)
    throw new CheckpointError('unrecognized-format', 'not a torch checkpoint: bad magic number')
  const version = unpickle(bytes, magic.end, noPid)
  if (version.value !== PROTOCOL_VERSION) throw new CheckpointError('unsupported', `unsupported legacy torch protocol version ${String(version.value)} (expected ${PROTOCOL_VERSION})`)
  const sysInfo = unpickle(bytes, version.end, noPid)
  if (sysInfo.value instanceof PyDict && sysInfo.value.entries.get('little_endian') === false)
    throw new CheckpointError('unsupported', 'big-endian legacy checkpoints are not supported')

  const storages = new Map<string, StorageRef>()
  const main = unpickle(bytes, sysInfo.end, (pid, offset) => {
    const s = storagePersistentId(pid, offset)
    const known = storages.get(s.key)
    if (known && (known.numel !== s.numel || known.storageType !== s.storageType))
      throw new CheckpointError('corrupt', `storage ${s.key} is declared twice with different sizes or types`, { storage: s.key })
    storages.set(s.key, s)
    return s
  })
  const keys = unpickle(bytes, main.end, noPid)
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) throw new CheckpointError('corrupt', 'the legacy storage key list is not a list of strings')
  return { main: main.value, storages, keys: keys.value as string[], end: keys.end }
}

/**
 * Reads a legacy (pre-1.6) `torch.save` file, the format of the original DialoGPT uploads: five
 * pickles (magic number, protocol version, system info, the state dict, the storage keys), then
 * each storage as an int64 element count and its raw little-endian bytes, in the key list's order.
 * From a {@link ByteSource}, only the header and each storage in turn are read.
 */
export function readTorchLegacy(input: Uint8Array | ByteSource): StateDict {
  const source = asSource(input)
  let header: LegacyHeader | undefined
  for (let window = Math.min(source.length, FIRST_WINDOW); !header; window = Math.min(source.length, window * 8)) {
    try {
      header = readHeader(source.read(0, window))
    } catch (error) {
      // The header runs past the bytes read so far: read more (a truncated file fails once all of it is read).
      if (!(error instanceof CheckpointError && error.code === 'truncated' && window < source.length)) throw error
    }
  }
  const { storages } = header

  // Walk the storages in the listed order; each size is checked against the declaration and the file before use.
  const located = new Map<string, { offset: number; byteLength: number }>()
  let pos = header.end
  for (const key of header.keys) {
    const s = storages.get(key)
    if (!s) throw new CheckpointError('corrupt', `storage key ${key} is listed but no tensor uses it`, { storage: key })
    if (pos + 8 > source.length) throw new CheckpointError('truncated', `the file ends inside the element count of storage ${key}`, { storage: key, offset: pos })
    const countBytes = source.read(pos, 8)
    const count = new DataView(countBytes.buffer, countBytes.byteOffset, 8).getBigInt64(0, true)
    if (count !== BigInt(s.numel))
      throw new CheckpointError('size-mismatch', `storage ${key}: the file stores ${count} elements but its persistent id declares ${s.numel}`, { storage: key, offset: pos })
    const byteLength = s.numel * ELEMENT_SIZE[STORAGE_DTYPES[s.storageType]!]
    if (pos + 8 + byteLength > source.length)
      throw new CheckpointError('truncated', `the file ends inside storage ${key} (${byteLength} bytes at ${pos + 8}, file is ${source.length})`, { storage: key, offset: pos + 8 })
    located.set(key, { offset: pos + 8, byteLength })
    pos += 8 + byteLength
  }
  return tensorsFromPickle(header.main, source, (storage, tensor) => {
    const where = located.get(storage.key)
    if (!where) throw new CheckpointError('missing-record', `storage ${storage.key} of tensor '${tensor}' is not in the file's storage key list`, { storage: storage.key, tensor })
    return where
  })
}
