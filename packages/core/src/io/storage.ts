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
