import type { MalformedLine } from '../input/malformed'
import type { PrepareReport } from '../prepare/prepare-report'
import { quickLinkId, type RedditComment } from './comment'
import { shardPartitions, type ShardSpec } from '../prepare/shard-spec'
import { commentRule } from './extract'
import { groupByThread, partitionOf, type GroupOptions } from './group-threads'
import { readCommentBatches, type ReadOwnership } from './read-comments'
import { threadSessions, type RedditSession, type SessionOptions } from './sessions'

/**
 * The candidate sessions of Reddit dumps: comments read (any compression), the comment rules
 * applied (dropped ones counted by reason), comments grouped by thread across all files (spilling
 * to disk when large), then every root-to-leaf path of each thread, one thread at a time.
 * `afterFile` runs when a file has been read (the usable-record check).
 *
 * With `shard`, only the threads of that shard are kept (a range of thread partitions, see
 * `shardPartitions`), and each line is counted by exactly one shard (see `ReadOwnership`), so the
 * shards' reports add up to the single run's. Lines that certainly belong to another shard are
 * skipped unparsed. The caller checks per-file usability over all shards (`afterFile` sees only
 * this shard's share).
 */
export async function* redditThreadSessions(
  files: readonly string[],
  options: { sessions?: SessionOptions; grouping?: GroupOptions; shard?: ShardSpec },
  report: PrepareReport,
  onMalformed: (m: MalformedLine) => void,
  hooks: { afterBatch?: () => void; afterFile?: (file: string, before: { lines: number; malformed: number }) => void } = {},
): AsyncGenerator<RedditSession[]> {
  const partitions = options.grouping?.partitions ?? 256
  const range = options.shard ? shardPartitions(options.shard, partitions) : undefined
  const mine = (linkId: string) => {
    const p = partitionOf(linkId, partitions)
    return p >= range!.first && p < range!.end
  }
  // Every shard reads every line; each line is counted by the shard of its thread (known from the
  // raw line when that is certain, else after parsing), and a line that does not parse and names no
  // thread for certain by shard 0.
  const ownership: ReadOwnership | undefined = range && {
    ownsLine: (line) => {
      const linkId = quickLinkId(line)
      return linkId === undefined ? undefined : mine(linkId)
    },
    ownsThread: mine,
    claimsMalformed: options.shard!.index === 0,
  }
  async function* comments(): AsyncGenerator<RedditComment[]> {
    for (const file of files) {
      const before = { lines: report.lines, malformed: report.malformed }
      for await (const batch of readCommentBatches(file, report, onMalformed, ownership)) {
        hooks.afterBatch?.()
        const kept: RedditComment[] = []
        for (const c of batch) {
          const rule = commentRule(c)
          if (rule.keep) kept.push(c)
          else report.commentsDropped[rule.reason] = (report.commentsDropped[rule.reason] ?? 0) + 1
        }
        yield kept
      }
      hooks.afterFile?.(file, before)
    }
  }
  for await (const thread of groupByThread(comments(), options.grouping)) yield threadSessions(thread, options.sessions, report)
}
