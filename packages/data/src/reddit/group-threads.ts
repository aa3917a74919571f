import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RedditComment } from './comment'
import { DumpError } from './dump-error'

export interface GroupOptions {
  /** Comments held in memory before grouping spills to disk. Default 500,000. */
  maxInMemory?: number
  /** Partition files when spilling. Default 256. */
  partitions?: number
  /** Where spill files go. Default the OS temp directory. */
  tmpDir?: string
}

/** One field of a spill record (see {@link spillRecord}). */
function spillField(x: string | number | null | undefined): string {
  if (x === null || x === undefined) return '-1,'
  const t = typeof x === 'number' ? String(x) : x
  return `${t.length},${t}`
}

/**
 * A spilled comment: each field as `<length>,<text>` (length -1: absent or null), numbers as their
 * decimal text. Spill files hold UTF-16 code units (little-endian), so every string, lone surrogates
 * included, comes back exactly, and encoding and decoding are copies (UTF-8 took ~5× longer both ways).
 */
function spillRecord(c: RedditComment): string {
  return spillField(c.id) + spillField(c.parentId) + spillField(c.linkId) + spillField(c.body) + spillField(c.score) + spillField(c.author) + spillField(c.subreddit) + spillField(c.createdUtc)
}

/** Bytes buffered per partition before a write. */
const BLOCK_BYTES = 64 * 1024

/**
 * The partition files of a spill. Each record is encoded straight into its partition's block (a
 * Buffer outside the JavaScript heap), so no record string outlives the call that made it: holding
 * records as strings until a block filled kept every decoded input chunk they were sliced from alive,
 * and the garbage collector copied them from generation to generation.
 */
class SpillFiles {
  private readonly blocks: Buffer[]
  private readonly used: Int32Array

  private constructor(
    readonly dir: string,
    private readonly files: WriteStream[],
  ) {
    this.blocks = files.map(() => Buffer.allocUnsafe(BLOCK_BYTES))
    this.used = new Int32Array(files.length)
  }

  static async create(parent: string, partitions: number): Promise<SpillFiles> {
    const dir = await mkdtemp(join(parent, 'dialogpt-threads-'))
    return new SpillFiles(dir, Array.from({ length: partitions }, (_, p) => createWriteStream(SpillFiles.path(dir, p), { highWaterMark: 4 * BLOCK_BYTES })))
  }

  static path(dir: string, p: number): string {
    return join(dir, `part-${p}.spill`)
  }

  /** Appends a record; a promise comes back only when the file asks to wait. */
  add(p: number, record: string): Promise<void> | undefined {
    const bytes = record.length * 2
    let wait: Promise<void> | undefined
    if (this.used[p]! + bytes > BLOCK_BYTES) {
      wait = this.flush(p)
      if (bytes > BLOCK_BYTES) return this.send(p, Buffer.from(record, 'utf16le')) ?? wait
    }
    this.used[p]! += this.blocks[p]!.write(record, this.used[p]!, 'utf16le')
    return wait
  }

  private flush(p: number): Promise<void> | undefined {
    const n = this.used[p]!
    if (n === 0) return undefined
    const block = this.blocks[p]!
    this.blocks[p] = Buffer.allocUnsafe(BLOCK_BYTES)
    this.used[p] = 0
    return this.send(p, block.subarray(0, n))
  }

  private send(p: number, bytes: Buffer): Promise<void> | undefined {
    const file = this.files[p]!
    if (file.write(bytes)) return undefined
    return new Promise<void>((resolve) => file.once('drain', () => resolve()))
  }

  /** Writes what is buffered and closes every file. */
  async end(): Promise<void> {
    await Promise.all(
      this.files.map((f, p) => {
        const n = this.used[p]!
        return new Promise<void>((resolve, reject) => f.end(this.blocks[p]!.subarray(0, n), (error?: Error | null) => (error ? reject(error) : resolve())))
      }),
    )
  }

  /** Partition `p`'s text (all of it: a partition holds about input / partitions comments). */
  async read(p: number): Promise<SpillReader> {
    const file = SpillFiles.path(this.dir, p)
    const bytes = await readFile(file)
    if (bytes.length % 2 !== 0) throw spillCorrupt(file, bytes.length)
    return new SpillReader(bytes.toString('utf16le'), file)
  }

  async remove(): Promise<void> {
    for (const f of this.files) f.destroy()
    await rm(this.dir, { recursive: true, force: true })
  }
}

function spillCorrupt(file: string, at: number): DumpError {
  return new DumpError('spill-corrupt', file, `spill file is corrupt at byte ${at} (was the disk full?)`)
}

/** Reads the fields of spill records (see {@link spillRecord}) one after another. */
class SpillReader {
  i = 0
  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  /** The next field: a string, or null for an absent one. */
  field(): string | null {
    const text = this.text
    let i = this.i
    if (text.charCodeAt(i) === 0x2d) {
      if (!text.startsWith('-1,', i)) throw spillCorrupt(this.file, 2 * i)
      this.i = i + 3
      return null
    }
    let n = 0
    for (let c = text.charCodeAt(i++); c !== 0x2c; c = text.charCodeAt(i++)) {
      if (!(c >= 0x30 && c <= 0x39)) throw spillCorrupt(this.file, 2 * (i - 1))
      n = n * 10 + (c - 0x30)
    }
    if (i + n > text.length) throw spillCorrupt(this.file, 2 * i)
    this.i = i + n
    return text.slice(i, i + n)
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
    if (id === null || parentId === null || linkId === null || body === null) throw spillCorrupt(this.file, 2 * at)
    const c: RedditComment = { id, parentId, linkId, body, score: score === null ? null : Number(score) }
    if (author !== null) c.author = author
    if (subreddit !== null) c.subreddit = subreddit
    if (createdUtc !== null) c.createdUtc = Number(createdUtc)
    return c
  }
}

function partitionOf(linkId: string, partitions: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < linkId.length; i++) h = Math.imul(h ^ linkId.charCodeAt(i), 0x01000193) >>> 0
  return h % partitions
}

/**
 * Groups comments by thread (`linkId`) without needing the input in memory: up to `maxInMemory`
 * comments are grouped in memory; past that, everything is spilled to `partitions` files by a hash
 * of the thread id, and each partition is grouped in turn, so memory holds about
 * `input / partitions` comments (plus a 64 KiB write block per partition while spilling).
 * `comments` may yield single comments or arrays of them. Threads come out in no particular order;
 * comments within a thread in input order. Spill files are removed when done (also on error); a
 * damaged one gives a {@link DumpError} (`spill-corrupt`) naming it.
 */
export async function* groupByThread(comments: AsyncIterable<RedditComment | readonly RedditComment[]>, options: GroupOptions = {}): AsyncGenerator<RedditComment[]> {
  const maxInMemory = options.maxInMemory ?? 500_000
  const partitions = options.partitions ?? 256
  let groups = new Map<string, RedditComment[]>()
  let held = 0
  let spill: SpillFiles | null = null
  try {
    for await (const item of comments) {
      for (const c of Array.isArray(item) ? (item as readonly RedditComment[]) : [item as RedditComment]) {
        if (!spill) {
          let g = groups.get(c.linkId)
          if (!g) groups.set(c.linkId, (g = []))
          g.push(c)
          if (++held <= maxInMemory) continue
          spill = await SpillFiles.create(options.tmpDir ?? tmpdir(), partitions)
          for (const [linkId, list] of groups) {
            const p = partitionOf(linkId, partitions)
            for (const x of list) await spill.add(p, spillRecord(x))
          }
          groups = new Map()
          continue
        }
        const wait = spill.add(partitionOf(c.linkId, partitions), spillRecord(c))
        if (wait) await wait
      }
    }
    if (!spill) {
      yield* groups.values()
      return
    }
    await spill.end()
    for (let p = 0; p < partitions; p++) {
      const part = new Map<string, RedditComment[]>()
      const reader = await spill.read(p)
      for (let c = reader.comment(); c; c = reader.comment()) {
        let g = part.get(c.linkId)
        if (!g) part.set(c.linkId, (g = []))
        g.push(c)
      }
      yield* part.values()
    }
  } finally {
    if (spill) await spill.remove()
  }
}
