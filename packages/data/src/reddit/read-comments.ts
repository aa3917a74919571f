import { commentFromRow, parseCommentLine, type CommentParseResult, type RedditComment } from './comment'
import { DumpError } from '../input/dump-error'
import type { MalformedLine } from '../input/malformed'
import { readDumpLineBatches, readDumpText } from '../input/open-dump'

export type { MalformedLine } from '../input/malformed'

/** Running counts of a read. */
export interface ReadCounts {
  lines: number
  comments: number
  malformed: number
}

/**
 * The comments of a dump: Pushshift NDJSON in any compression, or a BigQuery-style JSON array of
 * rows (as exported for a thread). A line that is not a usable comment is counted in `counts` and
 * passed to `onMalformed` with its file and line number, and reading goes on.
 */
export async function* readComments(file: string, counts: ReadCounts = { lines: 0, comments: 0, malformed: 0 }, onMalformed: (m: MalformedLine) => void = () => undefined): AsyncGenerator<RedditComment> {
  for await (const batch of readCommentBatches(file, counts, onMalformed)) yield* batch
}

/**
 * Which records a reader counts, for sharded preparation (every shard reads every line, and each
 * line must be counted by exactly one shard): the shard of the record's thread. `ownsLine` tells
 * from the raw line when it can (`false`: another shard's, skipped unparsed and uncounted;
 * `undefined`: parse to know), `ownsThread` after parsing. A record that does not parse and names no
 * thread for certain is counted only where `claimsMalformed` (shard 0).
 */
export interface ReadOwnership {
  ownsLine(line: string): boolean | undefined
  ownsThread(linkId: string): boolean
  claimsMalformed: boolean
}

/** {@link readComments}, a decompressed chunk's worth of comments at a time; with `ownership`, only the records it owns are counted and yielded. */
export async function* readCommentBatches(
  file: string,
  counts: ReadCounts = { lines: 0, comments: 0, malformed: 0 },
  onMalformed: (m: MalformedLine) => void = () => undefined,
  ownership?: ReadOwnership,
): AsyncGenerator<RedditComment[]> {
  const take = recordTaker(file, counts, onMalformed, ownership)
  let first = true
  for await (const lines of readDumpLineBatches(file)) {
    if (first && lines[0]!.text.trimStart().startsWith('[')) {
      yield await readRowArray(file, take)
      return
    }
    first = false
    const batch: RedditComment[] = []
    for (const { line, text } of lines) {
      const own = ownership?.ownsLine(text)
      if (own === false) continue
      const comment = take(parseCommentLine(text), own, line, '')
      if (comment) batch.push(comment)
    }
    if (batch.length > 0) yield batch
  }
}

/**
 * Counts one parsed record (a line or a row) and returns its comment, or undefined: malformed
 * (counted, reported), or another shard's (neither).
 */
function recordTaker(file: string, counts: ReadCounts, onMalformed: (m: MalformedLine) => void, ownership: ReadOwnership | undefined) {
  return (parsed: CommentParseResult, own: boolean | undefined, line: number, prefix: string): RedditComment | undefined => {
    if ('error' in parsed) {
      if (own === undefined && ownership && !ownership.claimsMalformed) return undefined
      counts.lines++
      counts.malformed++
      onMalformed({ file, line, reason: `${prefix}${parsed.error}` })
      return undefined
    }
    if (own === undefined && ownership && !ownership.ownsThread(parsed.comment.linkId)) return undefined
    counts.lines++
    counts.comments++
    return parsed.comment
  }
}

async function readRowArray(file: string, take: ReturnType<typeof recordTaker>): Promise<RedditComment[]> {
  let rows: unknown
  try {
    rows = JSON.parse(await readDumpText(file))
  } catch (error) {
    throw new DumpError('bad-format', file, `starts with '[' but is not a JSON array of rows (${(error as Error).message})`)
  }
  if (!Array.isArray(rows)) throw new DumpError('bad-format', file, 'is not a JSON array of rows')
  const out: RedditComment[] = []
  for (const [i, row] of rows.entries()) {
    const comment = take(commentFromRow(row), undefined, i + 1, `row ${i + 1}: `)
    if (comment) out.push(comment)
  }
  return out
}
