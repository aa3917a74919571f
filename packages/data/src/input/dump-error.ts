/**
 * What is wrong with an input file; `spill-failed`: a temporary file that grouping by thread writes
 * could not be written (a full disk) or came back damaged (something else changed the temporary directory).
 */
export type DumpErrorCode = 'not-found' | 'missing-tool' | 'decompress-failed' | 'bad-format' | 'spill-failed'

/** An input dump (or a temporary file made from it) cannot be read; `file` names it. */
export class DumpError extends Error {
  override readonly name = 'DumpError'
  constructor(
    readonly code: DumpErrorCode,
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`)
  }
}
