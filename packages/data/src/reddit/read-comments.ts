import { commentFromRow, parseCommentLine, type RedditComment } from './comment'
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
 * Which records a reader counts and parses, for sharded preparation (every shard reads every line,
 * and each line must be counted by exactly one shard): `owns(line)` says from the raw line whether
 * it is this reader's (`true`: parse and count; `false`: another shard's, skipped unparsed and
 * uncounted; `undefined`: not known before parsing, so parsed and counted, and the caller discounts
 * a comment that turns out to be another shard's). A record that does not parse and whose owner is
 * unknown is counted only where `claimsMalformed` (shard 0).
 */
export interface ReadOwnership {
  owns(line: string | undefined): boolean | undefined
  claimsMalformed: boolean
}

/** {@link readComments}, a decompressed chunk's worth of comments at a time (see {@link ReadOwnership} for `ownership`). */
export async function* readCommentBatches(
  file: string,
  counts: ReadCounts = { lines: 0, comments: 0, malformed: 0 },
  onMalformed: (m: MalformedLine) => void = () => undefined,
  ownership?: ReadOwnership,
): AsyncGenerator<RedditComment[]> {
  let first = true
  for await (const lines of readDumpLineBatches(file)) {
    if (first && lines[0]!.text.trimStart().startsWith('[')) {
      const all: RedditComment[] = []
      for await (const c of readRowArray(file, counts, onMalformed, ownership)) all.push(c)
      yield all
      return
    }
    first = false
    const batch: RedditComment[] = []
    for (const { line, text } of lines) {
      const own = ownership?.owns(text)
      if (own === false) continue
      const parsed = parseCommentLine(text)
      if ('error' in parsed) {
        if (own === undefined && ownership && !ownership.claimsMalformed) continue
        counts.lines++
        counts.malformed++
        onMalformed({ file, line, reason: parsed.error })
        continue
      }
      counts.lines++
      counts.comments++
      batch.push(parsed.comment)
    }
    if (batch.length > 0) yield batch
  }
}

async function* readRowArray(file: string, counts: ReadCounts, onMalformed: (m: MalformedLine) => void, ownership?: ReadOwnership): AsyncGenerator<RedditComment> {
  let rows: unknown
  try {
    rows = JSON.parse(await readDumpText(file))
  } catch (error) {
    throw new DumpError('bad-format', file, `starts with '[' but is not a JSON array of rows (${(error as Error).message})`)
  }
  if (!Array.isArray(rows)) throw new DumpError('bad-format', file, 'is not a JSON array of rows')
  for (const [i, row] of rows.entries()) {
    const parsed = commentFromRow(row)
    if ('error' in parsed) {
      if (ownership && !ownership.claimsMalformed) continue
      counts.lines++
      counts.malformed++
      onMalformed({ file, line: i + 1, reason: `row ${i + 1}: ${parsed.error}` })
      continue
    }
    counts.lines++
    counts.comments++
    yield parsed.comment
  }
}
