import { memorySource, type ByteSource, type ClosableByteSource } from '../checkpoint/byte-source'
import { concatBytes } from '../checkpoint/tensor-data'
import type { HubOptions } from './hub-options'

/** What a pretrained source resolved to: the files to read (paths the same storage understands). */
export interface ResolvedModelFiles {
  /** `model.safetensors`, `pytorch_model.bin`, or the weight file the source named. */
  weights: string
  /** `config.json`, when there is one. */
  config?: string
  /** `generation_config.json`, when there is one. */
  generationConfig?: string
}

/** An incremental SHA-256. */
export interface Hasher {
  update(bytes: Uint8Array): void
  /** Lower-case hex. */
  digest(): string
}

/**
 * The file access the library's browser-safe classes need — saving a model, the trainer's
 * checkpoints and log, reading a pretrained model — behind a small interface, so the classes never
 * import `node:fs`. `@dialogpt/core/node` provides the Node implementation (`nodeStorage`) and
 * makes it the default when imported (`@dialogpt/backend-node` imports it); pass `{ storage }` to
 * use another (a test's, a browser's).
 */
export interface Storage {
  readFile(path: string): Promise<Uint8Array>
  /** Size and kind of what is at `path`, or `null` when nothing is. */
  stat(path: string): Promise<{ size: number; isDirectory: boolean } | null>
  /** The names in a directory (`[]` when it does not exist). */
  list(dir: string): Promise<string[]>
  /** Creates a directory and its parents. */
  makeDir(dir: string): Promise<void>
  /** Writes all of `data` (a short write is an error) and, with `durable`, flushes it to disk. Errors name the path. */
  writeFile(path: string, data: Uint8Array | string, options?: { durable?: boolean }): Promise<void>
  appendFile(path: string, text: string): Promise<void>
  rename(from: string, to: string): Promise<void>
  /** Removes a file or a directory tree; nothing there is not an error. */
  remove(path: string): Promise<void>
  join(...parts: string[]): string
  /** A tag for temporary names that says which process made them (`<pid>-<time>` in Node). */
  ownerTag(): string
  /** Whether a temporary made under `tag` belongs to a process that no longer runs (so it can be removed). */
  isStale(tag: string): boolean
  sha256(): Hasher
  /**
   * The files of a pretrained model given as a directory, a weight file or a Hub repository id
   * (downloaded into the Hugging Face cache). Implementations without it read directories and files only.
   */
  resolveModel?(source: string, options: HubOptions): Promise<ResolvedModelFiles>
  /**
   * Random access to a file without reading it whole, so that weight files and checkpoints of any
   * size are read tensor by tensor. Close it when done. Storages without it are read with `readFile`.
   */
  openSource?(path: string): Promise<ClosableByteSource>
  /**
   * A file written in pieces (created or truncated), so that large files are written tensor by
   * tensor. Each `write` writes all its bytes or fails; `close` flushes to disk with `durable`.
   * Storages without it are written with `writeFile`.
   */
  openWriter?(path: string, options?: { durable?: boolean }): Promise<FileWriter>
}

/** A file being written in pieces (see {@link Storage.openWriter}). */
export interface FileWriter {
  write(bytes: Uint8Array): Promise<void>
  close(): Promise<void>
}

let current: Storage | undefined

/** Makes `storage` the default for every call that is not given one. */
export function setDefaultStorage(storage: Storage): void {
  current = storage
}

/** The default storage, or an error that says how to get one. */
export function defaultStorage(): Storage {
  if (!current)
    throw new Error(
      "no file storage: import '@dialogpt/core/node' (or '@dialogpt/backend-node', which does) to read and write files in Node, or pass { storage } — in a browser, load models with @dialogpt/backend-web's loadWebModel",
    )
  return current
}

/**
 * Runs `read` on the file at `path` as a {@link ByteSource}: through `storage.openSource` when it
 * has one (read piece by piece, any size), else over the bytes of `readFile`. The source is closed
 * afterwards.
 */
export async function withSource<T>(storage: Storage, path: string, read: (source: ByteSource) => T | Promise<T>): Promise<T> {
  if (!storage.openSource) return read(memorySource(await storage.readFile(path)))
  const source = await storage.openSource(path)
  try {
    return await read(source)
  } finally {
    source.close()
  }
}

/**
 * Writes a file from pieces: through `storage.openWriter` when it has one (one piece at a time,
 * any size), else by joining them for `writeFile`. Returns the file's SHA-256.
 */
export async function writePieces(storage: Storage, path: string, pieces: Iterable<Uint8Array>, options: { durable?: boolean } = {}): Promise<{ bytes: number; sha256: string }> {
  const hash = storage.sha256()
  let bytes = 0
  if (!storage.openWriter) {
    const joined = concatBytes([...pieces])
    hash.update(joined)
    await storage.writeFile(path, joined, options)
    return { bytes: joined.length, sha256: hash.digest() }
  }
  const writer = await storage.openWriter(path, options)
  try {
    for (const piece of pieces) {
      hash.update(piece)
      await writer.write(piece)
      bytes += piece.length
    }
  } finally {
    await writer.close()
  }
  return { bytes, sha256: hash.digest() }
}
