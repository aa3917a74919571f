/** What is wrong with an input file. */
export type DumpErrorCode = 'not-found' | 'missing-tool' | 'decompress-failed' | 'bad-format'

/** An input dump cannot be read; `file` names it. */
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
