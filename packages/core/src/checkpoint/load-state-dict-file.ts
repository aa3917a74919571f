import { CheckpointError } from './errors'
import { readStateDict } from './load-state-dict'
import { asBytes, type StateDict } from './tensor-data'

/**
 * Reads a checkpoint into name → `{ dtype, shape, data }`: from bytes anywhere, or from a file
 * path in Node. Every format `fromPretrained` accepts (safetensors, torch zip, legacy torch);
 * errors name the file.
 */
export async function loadStateDict(pathOrBytes: string | Uint8Array | ArrayBuffer): Promise<StateDict> {
  if (typeof pathOrBytes !== 'string') return readStateDict(pathOrBytes instanceof Uint8Array ? pathOrBytes : new Uint8Array(pathOrBytes))
  const { readFile } = await import('node:fs/promises')
  const bytes = asBytes(await readFile(pathOrBytes))
  try {
    return readStateDict(bytes)
  } catch (error) {
    throw error instanceof CheckpointError ? error.withFile(pathOrBytes) : error
  }
}
