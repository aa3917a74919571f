import { asSource, type ByteSource } from './byte-source'
import { CheckpointError } from './errors'
import { looksLikeSafetensors, readSafetensors } from './safetensors'
import type { StateDict } from './tensor-data'
import { LEGACY_PREFIX, readTorchLegacy } from './torch-legacy'
import { readTorchZip } from './torch-zip'

/** Which container a checkpoint's bytes are. */
export type CheckpointFormat = 'safetensors' | 'torch-zip' | 'torch-legacy'

/** Recognises a checkpoint from its first bytes. */
export function detectCheckpointFormat(bytes: Uint8Array): CheckpointFormat {
  if (bytes.length === 0) throw new CheckpointError('unrecognized-format', 'the file is empty')
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'torch-zip'
  if (LEGACY_PREFIX.every((b, i) => bytes[i] === b)) return 'torch-legacy'
  if (looksLikeSafetensors(bytes)) return 'safetensors'
  if (bytes.length >= 2 && bytes[0] === 0x50 && bytes[1] === 0x4b) throw new CheckpointError('truncated', 'the file starts like a zip archive but is cut short')
  if (bytes.length < LEGACY_PREFIX.length && LEGACY_PREFIX.slice(0, bytes.length).every((b, i) => bytes[i] === b))
    throw new CheckpointError('truncated', 'the file starts like a legacy torch checkpoint but is cut short')
  if (bytes.length < 9) throw new CheckpointError('truncated', `the file is only ${bytes.length} bytes: truncated or not a checkpoint`)
  throw new CheckpointError('unrecognized-format', 'unrecognised checkpoint format (expected safetensors, a torch zip or a legacy torch file)')
}

/**
 * Reads any checkpoint format GPT-2 / DialoGPT files come in — safetensors (F32/F16/BF16/…),
 * `torch.save` zip, legacy pre-1.6 torch — into name → `{ dtype, shape, data }`, with floating
 * types as float32. Torch pickles go through a restricted unpickler that executes nothing.
 * Throws {@link CheckpointError} for anything malformed, never a partial result. Aligned float32
 * and int32 data are views of `bytes` (no copy): do not reuse that buffer while the tensors are in use.
 */
export function readStateDict(input: Uint8Array | ByteSource): StateDict {
  const source = asSource(input)
  // The first 16 bytes tell the format (a shorter file is recognised, or refused, from all of them).
  switch (detectCheckpointFormat(source.read(0, Math.min(source.length, 16)))) {
    case 'safetensors':
      return readSafetensors(source).tensors
    case 'torch-zip':
      return readTorchZip(source)
    case 'torch-legacy':
      return readTorchLegacy(source)
  }
}
