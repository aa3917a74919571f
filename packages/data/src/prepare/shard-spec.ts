import { ShardError } from './shard-error'

/** One worker's share of a sharded preparation: shard `index` of `count` (0-based). */
export interface ShardSpec {
  index: number
  count: number
}

/**
 * The threads of shard `index` of `count`: a contiguous range of the grouping's `partitions`
 * (threads are partitioned by a stable hash of their `link_id`, so a thread is always in one shard,
 * whichever files its comments are in), so that the shards' outputs in shard order are the single
 * run's output in its order.
 */
export function shardPartitions(shard: ShardSpec, partitions: number): { first: number; end: number } {
  return { first: Math.floor((shard.index * partitions) / shard.count), end: Math.floor(((shard.index + 1) * partitions) / shard.count) }
}

/** Checks a shard spec against the number of partitions (a shard must own at least one). */
export function checkShard(shard: ShardSpec, partitions: number): void {
  if (!Number.isInteger(shard.count) || shard.count < 1) throw new ShardError('bad-shard', 'shard', `the number of shards must be a positive integer, got ${shard.count}`)
  if (!Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count)
    throw new ShardError('bad-shard', 'shard', `the shard index must be an integer from 0 to ${shard.count - 1}, got ${shard.index}`)
  if (shard.count > partitions) throw new ShardError('bad-shard', 'shard', `${shard.count} shards need at least as many thread partitions (grouping.partitions is ${partitions})`)
}

/** Parses `I/N` (as `--shard 2/7`). */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim())
  if (!m) throw new ShardError('bad-shard', 'shard', `expected I/N (e.g. 0/4), got '${text}'`)
  return { index: Number(m[1]), count: Number(m[2]) }
}
