import { defaultStorage, withSource, type Storage } from '../io/storage'
import { CheckpointError } from './errors'
import { readStateDict } from './read-state-dict'
import type { StateDict } from './tensor-data'

/**
 * Reads a checkpoint file (any format {@link readStateDict} reads) into name → `{ dtype, shape, data }`,
 * with errors naming the file. Read tensor by tensor where the storage allows (Node's does), so any size works.
 */
export async function readStateDictFile(path: string, storage: Storage = defaultStorage()): Promise<StateDict> {
  try {
    return await withSource(storage, path, readStateDict)
  } catch (error) {
    throw error instanceof CheckpointError ? error.withFile(path) : error
  }
}
