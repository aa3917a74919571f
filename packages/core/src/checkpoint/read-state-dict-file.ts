import { defaultStorage, type Storage } from '../io/storage'
import { CheckpointError } from './errors'
import { readStateDict } from './read-state-dict'
import type { StateDict } from './tensor-data'

/**
 * Reads a checkpoint file (any format {@link readStateDict} reads) into name → `{ dtype, shape, data }`,
 * with errors naming the file.
 */
export async function readStateDictFile(path: string, storage: Storage = defaultStorage()): Promise<StateDict> {
  const bytes = await storage.readFile(path)
  try {
    return readStateDict(bytes)
  } catch (error) {
    throw error instanceof CheckpointError ? error.withFile(path) : error
  }
}
