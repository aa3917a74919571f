import { createReadStream, createWriteStream, type WriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { RedditComment } from './comment'

export interface GroupOptions {
  /** Comments held in memory before grouping spills to disk. Default 500,000. */
  maxInMemory?: number
  /** Partition files when spilling. Default 256. */
  partitions?: number
  /** Where spill files go. Default the OS temp directory. */
  tmpDir?: string
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
  // lines are buffered per partition and written in blocks of about 64 KiB
  const write = async (p: number, line: string) => {
    spill!.buffers[p] += line
    if (spill!.buffers[p]!.length < 65536) return
    const block = spill!.buffers[p]!
    spill!.buffers[p] = ''
    if (!spill!.files[p]!.write(block)) await new Promise<void>((resolve) => spill!.files[p]!.once('drain', () => resolve()))
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
          spill = { dir, files: Array.from({ length: partitions }, (_, p) => createWriteStream(join(dir, `part-${p}.jsonl`))), buffers: new Array<string>(partitions).fill('') }
          for (const [linkId, list] of groups) for (const x of list) await write(partitionOf(linkId, partitions), `${JSON.stringify(x)}\n`)
          groups = new Map()
          continue
        }
        await write(partitionOf(c.linkId, partitions), `${JSON.stringify(c)}\n`)
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
      for await (const line of createInterface({ input: createReadStream(join(spill.dir, `part-${p}.jsonl`)), crlfDelay: Infinity })) {
        if (!line) continue
        const c = JSON.parse(line) as RedditComment
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
