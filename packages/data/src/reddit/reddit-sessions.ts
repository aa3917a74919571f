import type { MalformedLine } from '../input/malformed'
import type { PrepareReport } from '../prepare/prepare-report'
import type { RedditComment } from './comment'
import { commentRule } from './extract'
import { groupByThread, type GroupOptions } from './group-threads'
import { readCommentBatches } from './read-comments'
import { threadSessions, type RedditSession, type SessionOptions } from './sessions'

/**
 * The candidate sessions of Reddit dumps: comments read (any compression), the comment rules
 * applied (dropped ones counted by reason), comments grouped by thread across all files (spilling
 * to disk when large), then every root-to-leaf path of each thread, one thread at a time.
 * `afterFile` runs when a file has been read (the usable-record check).
 */
export async function* redditThreadSessions(
  files: readonly string[],
  options: { sessions?: SessionOptions; grouping?: GroupOptions },
  report: PrepareReport,
  onMalformed: (m: MalformedLine) => void,
  hooks: { afterBatch?: () => void; afterFile?: (file: string, before: { lines: number; malformed: number }) => void } = {},
): AsyncGenerator<RedditSession[]> {
  async function* comments(): AsyncGenerator<RedditComment[]> {
    for (const file of files) {
      const before = { lines: report.lines, malformed: report.malformed }
      for await (const batch of readCommentBatches(file, report, onMalformed)) {
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
