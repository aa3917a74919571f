import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { RedditComment } from './comment'
import type { DumpError } from '../input/dump-error'
import { spillFailed, SpillStream } from './spill-stream'

/** UTF-16 code units buffered per partition before a write (64 KiB). */
const BLOCK_UNITS = 32 * 1024
/** Strings up to this long are copied into a block by a loop; longer ones by `Buffer.write`. */
const SHORT = 32
/** A field's length for an absent (or null) field. */
const ABSENT = -1

/**
 * The partition files that grouping by thread spills comments to. A record is a comment's eight
 * fields (`id`, `parentId`, `linkId`, `body`, `score`, `author`, `subreddit`, `createdUtc`), each a
 * 32-bit length (two UTF-16 code units, low first; -1 for absent or null) followed by the field's
 * UTF-16 code units, numbers as their decimal text (which `Number` reads back exactly). The files are
 * UTF-16LE, so every string, lone surrogates included, comes back exactly and encoding and decoding
 * are copies (UTF-8 took ~5× longer both ways).
 *
 * Each comment is written straight into its partition's block, a buffer outside the JavaScript heap:
 * no record string is built, and nothing the comment's strings were sliced from (the decoded input)
 * stays alive for the garbage collector to copy.
 */
export class SpillFiles {
  private readonly bytes: Buffer[]
  private readonly units: Uint16Array[]
  private readonly used: Int32Array

  private constructor(
    readonly dir: string,
    private readonly files: SpillStream[],
  ) {
    this.bytes = files.map(() => Buffer.allocUnsafeSlow(2 * BLOCK_UNITS))
    this.units = this.bytes.map((b) => new Uint16Array(b.buffer, b.byteOffset, BLOCK_UNITS))
    this.used = new Int32Array(files.length)
  }

  /** A fresh directory under `parent` with `partitions` empty files. */
  static async create(parent: string, partitions: number): Promise<SpillFiles> {
    const dir = await mkdtemp(join(parent, 'dialogpt-threads-'))
    return new SpillFiles(dir, Array.from({ length: partitions }, (_, p) => new SpillStream(SpillFiles.path(dir, p), { highWaterMark: 8 * BLOCK_UNITS })))
  }

  private static path(dir: string, p: number): string {
    return join(dir, `part-${p}.spill`)
  }

  /**
   * Appends a comment to partition `p`; a promise comes back only when the file asks to wait. A
   * partition file that could not be written throws its {@link DumpError} at its next write.
   */
  add(p: number, c: RedditComment): Promise<void> | undefined {
    const score = c.score === null ? undefined : String(c.score)
    const created = c.createdUtc === undefined ? undefined : String(c.createdUtc)
    const need = 16 + c.id.length + c.parentId.length + c.linkId.length + c.body.length + (score?.length ?? 0) + (c.author?.length ?? 0) + (c.subreddit?.length ?? 0) + (created?.length ?? 0)
    let wait: Promise<void> | undefined
    let bytes = this.bytes[p]!
    let units = this.units[p]!
    let at = this.used[p]!
    if (at + need > BLOCK_UNITS) {
      wait = this.flush(p)
      at = 0
      if (need > BLOCK_UNITS) {
        // A comment bigger than a block goes out in a buffer of its own.
        bytes = Buffer.allocUnsafeSlow(2 * need)
        units = new Uint16Array(bytes.buffer, bytes.byteOffset, need)
      } else {
        bytes = this.bytes[p]!
        units = this.units[p]!
      }
    }
    at = put(bytes, units, at, c.id)
    at = put(bytes, units, at, c.parentId)
    at = put(bytes, units, at, c.linkId)
    at = put(bytes, units, at, c.body)
    at = put(bytes, units, at, score)
    at = put(bytes, units, at, c.author)
    at = put(bytes, units, at, c.subreddit)
    at = put(bytes, units, at, created)
    if (need > BLOCK_UNITS) return this.files[p]!.write(bytes) ?? wait
    this.used[p] = at
    return wait
  }

  private flush(p: number): Promise<void> | undefined {
    const n = this.used[p]!
    if (n === 0) return undefined
    const full = this.bytes[p]!
    this.bytes[p] = Buffer.allocUnsafeSlow(2 * BLOCK_UNITS)
    this.units[p] = new Uint16Array(this.bytes[p]!.buffer, this.bytes[p]!.byteOffset, BLOCK_UNITS)
    this.used[p] = 0
    return this.files[p]!.write(full.subarray(0, 2 * n))
  }

  /** Writes what is buffered and closes every file. */
  async end(): Promise<void> {
    await Promise.all(this.files.map((f, p) => f.end(this.bytes[p]!.subarray(0, 2 * this.used[p]!))))
  }

  /** Partition `p`'s comments (read whole: a partition holds about input / partitions comments). */
  async read(p: number): Promise<SpillReader> {
    const file = SpillFiles.path(this.dir, p)
    const bytes = await readFile(file)
    if (bytes.length % 2 !== 0) throw spillCorrupt(file, bytes.length)
    return new SpillReader(bytes.toString('utf16le'), file)
  }

  /** Closes the files and removes the directory. */
  async remove(): Promise<void> {
    for (const f of this.files) f.destroy()
    await rm(this.dir, { recursive: true, force: true })
  }
}

/** Writes one field at code unit `at` (see {@link SpillFiles}); returns where the next one goes. */
function put(bytes: Buffer, units: Uint16Array, at: number, s: string | undefined): number {
  if (s === undefined) {
    units[at] = 0xffff
    units[at + 1] = 0xffff
    return at + 2
  }
  const n = s.length
  units[at] = n & 0xffff
  units[at + 1] = n >>> 16
  at += 2
  if (n <= SHORT) for (let k = 0; k < n; k++) units[at + k] = s.charCodeAt(k)
  else bytes.write(s, 2 * at, 'utf16le')
  return at + n
}

function spillCorrupt(file: string, byte: number): DumpError {
  return spillFailed(file, `is corrupt at byte ${byte} (was the disk full?)`)
}

/** Reads the comments of one partition file one after another. */
export class SpillReader {
  private i = 0

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  /** The next field: a string, or undefined for an absent one. */
  private field(): string | undefined {
    const text = this.text
    const i = this.i
    if (i + 2 > text.length) throw spillCorrupt(this.file, 2 * i)
    const n = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)
    if (n === ABSENT) {
      this.i = i + 2
      return undefined
    }
    if (n < 0 || i + 2 + n > text.length) throw spillCorrupt(this.file, 2 * i)
    this.i = i + 2 + n
    return text.slice(i + 2, i + 2 + n)
  }

  /** The next comment, or undefined at the end. */
  comment(): RedditComment | undefined {
    if (this.i >= this.text.length) return undefined
    const at = this.i
    const id = this.field()
    const parentId = this.field()
    const linkId = this.field()
    const body = this.field()
    const score = this.field()
    const author = this.field()
    const subreddit = this.field()
    const createdUtc = this.field()
    if (id === undefined || parentId === undefined || linkId === undefined || body === undefined) throw spillCorrupt(this.file, 2 * at)
    const c: RedditComment = { id, parentId, linkId, body, score: score === undefined ? null : Number(score) }
    if (author !== undefined) c.author = author
    if (subreddit !== undefined) c.subreddit = subreddit
    if (createdUtc !== undefined) c.createdUtc = Number(createdUtc)
    return c
  }
}
