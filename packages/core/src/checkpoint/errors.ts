/** What went wrong with a checkpoint file, machine-readable. */
export type CheckpointErrorCode =
  | 'unrecognized-format'
  | 'truncated'
  | 'corrupt'
  | 'unsupported'
  | 'disallowed-global'
  | 'size-mismatch'
  | 'missing-record'
  | 'bad-tensor'
  | 'duplicate-tensor'
  | 'not-a-state-dict'

/**
 * The one error checkpoint reading throws. The message names the problem and the place: the file
 * (when known), the tensor, record or storage, and the byte offset where it applies.
 */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError'
  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
    /** Extra context: tensor name, record, storage key, byte offset. */
    readonly details: { tensor?: string; record?: string; storage?: string; offset?: number; file?: string } = {},
  ) {
    super(message)
  }

  /** The same error, with the file it came from named in the message. */
  withFile(file: string): CheckpointError {
    if (this.details.file) return this
    const e = new CheckpointError(this.code, `${file}: ${this.message}`, { ...this.details, file })
    e.stack = this.stack
    return e
  }
}
