/**
 * Random access to a file's bytes without holding the file: what the weight readers read from, so
 * a file larger than one `readFile` (2 GiB in Node) or than memory is read tensor by tensor.
 */
export interface ByteSource {
  /** The file's size in bytes. */
  readonly length: number
  /**
   * `length` bytes from `offset` (the caller has checked the range against {@link ByteSource.length}).
   * A memory source returns a view; a file source a fresh buffer, whose start is aligned for any
   * typed array.
   */
  read(offset: number, length: number): Uint8Array
}

/** A source over bytes already in memory: reads are views (no copy). */
export function memorySource(bytes: Uint8Array): ByteSource {
  return { length: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) }
}

/** `input` as a source. */
export function asSource(input: Uint8Array | ByteSource): ByteSource {
  return input instanceof Uint8Array ? memorySource(input) : input
}

/** A source that must be closed when the reading is done (a file). */
export interface ClosableByteSource extends ByteSource {
  close(): void
}
