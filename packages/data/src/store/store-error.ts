/** What is wrong with a token store. */
export type StoreErrorCode = 'not-found' | 'incomplete' | 'bad-manifest' | 'bad-index' | 'truncated-shard' | 'corrupt-example' | 'exists' | 'bad-example'

/** A token store cannot be written or read; `path` names the file at fault. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`)
    this.name = 'StoreError'
  }
}
