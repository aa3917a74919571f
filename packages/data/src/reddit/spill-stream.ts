import { createWriteStream, type WriteStream } from 'node:fs'
import { DumpError } from '../input/dump-error'

/** A `spill-failed` {@link DumpError} for a temporary spill file. */
export function spillFailed(file: string, what: string): DumpError {
  return new DumpError('spill-failed', file, `spill file ${what}`)
}

/**
 * A write stream to a temporary spill file. A failed write (a full disk) is not left to the stream
 * as an unhandled error (a crash) or a drain that never comes: it is kept as a {@link DumpError}
 * (`spill-failed`) naming the file, and the next call throws it.
 */
export class SpillStream {
  private readonly stream: WriteStream
  private failure: DumpError | null = null

  constructor(
    readonly file: string,
    options: { highWaterMark?: number } = {},
  ) {
    this.stream = createWriteStream(file, options)
    this.stream.on('error', (error: Error) => void (this.failure ??= spillFailed(file, `cannot be written (${error.message})`)))
  }

  /** Writes `data` (a string as UTF-8); a promise comes back only when the file asks to wait. */
  write(data: string | Uint8Array): Promise<void> | undefined {
    if (this.failure) throw this.failure
    if (this.stream.write(data)) return undefined
    return new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        this.stream.off('error', onError)
        resolve()
      }
      const onError = (error: Error) => {
        this.stream.off('drain', onDrain)
        reject(this.failure ?? error)
      }
      this.stream.once('drain', onDrain)
      this.stream.once('error', onError)
    })
  }

  /** Writes `tail`, if given, and closes the file. */
  async end(tail?: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(this.failure ?? error) : resolve())
      if (tail === undefined) this.stream.end(done)
      else this.stream.end(tail, done)
    })
    if (this.failure) throw this.failure
  }

  /** Closes the file without waiting (on the way out of an error). */
  destroy(): void {
    this.stream.destroy()
  }
}
