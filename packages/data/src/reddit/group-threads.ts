import { tmpdir } from 'node:os'
import type { RedditComment } from './comment'
import { SpillFiles } from './spill-files'

export interface GroupOptions {
  /** Comments held in memory before grouping spills to disk. Default 500,000. */
  maxInMemory?: number
  /** Partition files when spilling. Default 256. */
  partitions?: number
  /** Where spill files go. Default the OS temp directory. */
  tmpDir?: string
}

/** The partition of a thread: a stable hash (FNV-1a) of its id, modulo `partitions`. */
export function partitionOf(linkId: string, partitions: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < linkId.length; i++) h = Math.imul(h ^ linkId.charCodeAt(i), 0x01000193) >>> 0
  return h % partitions
}

/**
 * Groups comments by thread (`linkId`) without needing the input in memory: up to `maxInMemory`
 * comments are grouped in memory; past that, everything is spilled to `partitions` files by a hash
 * of the thread id, and each partition is grouped in turn, so memory holds about
 * `input / partitions` comments (plus a 64 KiB write block per partition while spilling).
 * `comments` may yield single comments or arrays of them. Threads come out in one canonical order,
 * whether or not the input spilled: by partition, then by first appearance in the input; comments
 * within a thread in input order. (Sharded preparation relies on this order: a shard holds a range
 * of partitions, so the shards' outputs concatenated are the single run's.) Spill files are removed when done (also on error); a
 * spill file that cannot be written (a full disk) or comes back damaged gives a `DumpError`
 * (`spill-failed`) naming it.
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
            for (const x of list) await spill.add(p, x)
          }
          groups = new Map()
          continue
        }
        const wait = spill.add(partitionOf(c.linkId, partitions), c)
        if (wait) await wait
      }
    }
    if (!spill) {
      // The same order as the spilled path: by partition, first appearance within one (a stable sort).
      const byPartition = [...groups].map(([linkId, list]) => ({ p: partitionOf(linkId, partitions), list }))
      byPartition.sort((a, b) => a.p - b.p)
      for (const g of byPartition) yield g.list
      return
    }
    await spill.end()
    // The next partition is read from disk while this one is grouped and consumed.
    let next = spill.read(0)
    for (let p = 0; p < partitions; p++) {
      const part = new Map<string, RedditComment[]>()
      const reader = await next
      if (p + 1 < partitions) {
        next = spill.read(p + 1)
        next.catch(() => undefined) // awaited (and its error thrown) on the next turn
      }
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
