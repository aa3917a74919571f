import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RedditComment } from './comment'

export interface GroupOptions {
  /** Comments held in memory before grouping spills to disk. Default 500,000. */
  maxInMemory?: number
  /** Partition files when spilling. Default 256. */
  partitions?: number
  /** Where spill files go. Default the OS temp directory. */
  tmpDir?: string
}

/** `String.prototype.isWellFormed` (ES2024, in Node 20): no lone surrogates, so UTF-8 round-trips it. */
const wellFormed = (t: string) => (t as string & { isWellFormed(): boolean }).isWellFormed()

/**
 * A spilled comment: each field as `<length>,<text>` (length -1: absent or null), numbers as their
 * decimal text, in UTF-8. No escaping to write or to undo; a string with a lone surrogate (which
 * UTF-8 cannot carry) is written as `j<length>,<JSON string>` instead, so every string comes back exactly.
 */
function spillRecord(c: RedditComment): string {
  const f = (x: string | number | null | undefined) => {
    if (x === null || x === undefined) return '-1,'
    if (typeof x === 'number') {
      const t = String(x)
      return `${t.length},${t}`
    }
    if (wellFormed(x)) return `${x.length},${x}`
    const json = JSON.stringify(x)
    return `j${json.length},${json}`
  }
  return f(c.id) + f(c.parentId) + f(c.linkId) + f(c.body) + f(c.score) + f(c.author) + f(c.subreddit) + f(c.createdUtc)
}

/** The comments of a spill file's text (see {@link spillRecord}). */
function* fromSpillRecords(text: string, file: string): Generator<RedditComment> {
  let i = 0
  const corrupt = () => new Error(`spill file ${file} is corrupt at character ${i} (was the disk full?)`)
  const field = (): string | null => {
    if (text.charCodeAt(i) === 0x2d) {
      if (!text.startsWith('-1,', i)) throw corrupt()
      i += 3
      return null
    }
    const json = text.charCodeAt(i) === 0x6a
    if (json) i++
    let n = 0
    for (let c = text.charCodeAt(i++); c !== 0x2c; c = text.charCodeAt(i++)) {
      if (!(c >= 0x30 && c <= 0x39)) throw corrupt()
      n = n * 10 + (c - 0x30)
    }
    if (i + n > text.length) throw corrupt()
    const value = text.slice(i, i + n)
    i += n
    return json ? (JSON.parse(value) as string) : value
  }
  while (i < text.length) {
    const [id, parentId, linkId, body, score, author, subreddit, createdUtc] = [field(), field(), field(), field(), field(), field(), field(), field()]
    if (id === null || parentId === null || linkId === null || body === null) throw corrupt()
    const c: RedditComment = { id, parentId, linkId, body, score: score === null ? null : Number(score) }
    if (author !== null) c.author = author
    if (subreddit !== null) c.subreddit = subreddit
    if (createdUtc !== null) c.createdUtc = Number(createdUtc)
    yield c
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
 * `input / partitions` comments. `comments` may yield single comments or arrays of them. Threads come out in no particular order; comments within a thread
 * in input order. Spill files are removed when done (also on error).
 */
export async function* groupByThread(comments: AsyncIterable<RedditComment | readonly RedditComment[]>, options: GroupOptions = {}): AsyncGenerator<RedditComment[]> {
  const maxInMemory = options.maxInMemory ?? 500_000
  const partitions = options.partitions ?? 256
  let groups = new Map<string, RedditComment[]>()
  let held = 0
  let spill: { dir: string; files: WriteStream[]; buffers: string[] } | null = null
  // Records are buffered per partition and written in blocks of about 64K characters; a promise
  // comes back only when the file asks to wait (no await per comment otherwise).
  const write = (p: number, record: string): Promise<void> | undefined => {
    spill!.buffers[p] += record
    if (spill!.buffers[p]!.length < 65536) return undefined
    const block = spill!.buffers[p]!
    spill!.buffers[p] = ''
    if (spill!.files[p]!.write(block)) return undefined
    return new Promise<void>((resolve) => spill!.files[p]!.once('drain', () => resolve()))
  }
  try {
    for await (const item of comments) {
      for (const c of Array.isArray(item) ? (item as readonly RedditComment[]) : [item as RedditComment]) {
        if (!spill) {
          let g = groups.get(c.linkId)
          if (!g) groups.set(c.linkId, (g = []))
          g.push(c)
          if (++held <= maxInMemory) continue
          const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'dialogpt-threads-'))
          spill = { dir, files: Array.from({ length: partitions }, (_, p) => createWriteStream(join(dir, `part-${p}.spill`))), buffers: new Array<string>(partitions).fill('') }
          for (const [linkId, list] of groups) for (const x of list) await write(partitionOf(linkId, partitions), spillRecord(x))
          groups = new Map()
          continue
        }
        const wait = write(partitionOf(c.linkId, partitions), spillRecord(c))
        if (wait) await wait
      }
    }
    if (!spill) {
      yield* groups.values()
      return
    }
    const open = spill
    await Promise.all(open.files.map((f, p) => new Promise<void>((resolve, reject) => f.end(open.buffers[p], (error?: Error | null) => (error ? reject(error) : resolve())))))
    for (let p = 0; p < partitions; p++) {
      const part = new Map<string, RedditComment[]>()
      // A partition holds about input / partitions comments: read it whole.
      const file = join(spill.dir, `part-${p}.spill`)
      for (const c of fromSpillRecords(await readFile(file, 'utf8'), file)) {
        let g = part.get(c.linkId)
        if (!g) part.set(c.linkId, (g = []))
        g.push(c)
      }
      yield* part.values()
    }
  } finally {
    if (spill) {
      for (const f of spill.files) f.destroy()
      await rm(spill.dir, { recursive: true, force: true })
    }
  }
}
