import { asSource, type ByteSource } from './byte-source'
import { CheckpointError } from './errors'
import { storagePersistentId, unpickle, type StorageRef } from './pickle'
import type { StateDict } from './tensor-data'
import { tensorsFromPickle, type StorageBytes } from './torch-tensors'
import { readZipDirectory } from './zip'

/**
 * Reads a `torch.save` zip checkpoint (PyTorch ≥ 1.6): `<archive>/data.pkl` holds the state
 * dict, `<archive>/data/<key>` each storage. Records are looked up by name, the archive folder
 * is taken from the first entry, and each record's size must equal its storage's declared size.
 */
export function readTorchZip(input: Uint8Array | ByteSource): StateDict {
  const { source, value, locate } = openTorchZip(input)
  return tensorsFromPickle(value, source, locate)
}

/**
 * The unpickled `data.pkl` of a `torch.save` zip archive (run by the restricted unpickler), and how
 * to find the bytes of each storage it refers to: what {@link readTorchZip} and other readers of
 * torch zip files (an optimizer's state_dict) share. Every record must be stored uncompressed.
 */
export function openTorchZip(input: Uint8Array | ByteSource): { source: ByteSource; value: unknown; locate: (storage: StorageRef, tensor: string) => StorageBytes } {
  const source = asSource(input)
  const entries = readZipDirectory(source)
  const first = entries.keys().next().value
  if (first === undefined) throw new CheckpointError('corrupt', 'the zip archive is empty')
  const archive = first.includes('/') ? first.slice(0, first.indexOf('/')) : ''
  const record = (name: string) => entries.get(archive ? `${archive}/${name}` : name)
  const pkl = record('data.pkl')
  if (!pkl) throw new CheckpointError('missing-record', `no data.pkl in the archive (${archive || 'top level'})`, { record: `${archive}/data.pkl` })
  const stored = (e: { name: string; method: number }) => {
    if (e.method !== 0) throw new CheckpointError('unsupported', `zip record ${e.name} is compressed (method ${e.method}); torch checkpoints store records uncompressed, compressed entries are unsupported`, { record: e.name })
  }
  stored(pkl)
  // Offsets in pickle errors count from the start of data.pkl.
  const { value } = unpickle(source.read(pkl.dataOffset, pkl.size), 0, storagePersistentId)
  const locate = (storage: StorageRef, tensor: string): StorageBytes => {
    const name = `${archive}/data/${storage.key}`
    const e = record(`data/${storage.key}`)
    if (!e) throw new CheckpointError('missing-record', `record ${name} (storage of tensor '${tensor}') is missing from the archive`, { record: name, tensor })
    stored(e)
    return { offset: e.dataOffset, byteLength: e.size }
  }
  return { source, value, locate }
}
