import { extname } from 'node:path'
import { readDumpLines } from './open-dump'
import type { InputFormat } from '../prepare/prepare-options'

/** How many non-empty lines (or bytes) format detection looks at. */
const DETECT_LINES = 50
const DETECT_BYTES = 1 << 16

/**
 * The format of an input, by content (`.tsv` by extension): up to 50 lines are
 * looked at, so one malformed first line cannot decide it. A line (or the first element of a
 * whole-file JSON array, as BigQuery exports and Python's `json.dump` write) that is an object with
 * `body` and `parent_id` or `link_id` is a Reddit comment; arrays of turns and objects with
 * `content` are dialogues. When nothing parses, the file is read as Reddit and every line is
 * reported malformed (and a file with no usable line at all is an error).
 */
export async function detectInputFormat(file: string, format: InputFormat): Promise<Exclude<InputFormat, 'auto'>> {
  if (format !== 'auto') return format
  if (extname(file).toLowerCase() === '.tsv') return 'tsv'
  const isComment = (o: unknown) => o !== null && typeof o === 'object' && !Array.isArray(o) && 'body' in o && ('parent_id' in o || 'link_id' in o)
  const votes = { reddit: 0, dialogues: 0 }
  let head = ''
  let lines = 0
  for await (const { text } of readDumpLines(file)) {
    if (lines++ === 0 && text.trimStart().startsWith('[')) head = text
    else if (head) head += `\n${text}`
    if (head) {
      if (head.length >= DETECT_BYTES || lines >= DETECT_LINES) break
      continue
    }
    try {
      const value = JSON.parse(text) as unknown
      if (isComment(value)) votes.reddit++
      else if (Array.isArray(value) || (value !== null && typeof value === 'object')) votes.dialogues++
    } catch {
      // a malformed line votes for nothing
    }
    if (lines >= DETECT_LINES) break
  }
  if (head) {
    // A whole-file JSON array: Reddit rows when its first element has a comment's fields.
    const first = head.slice(0, DETECT_BYTES)
    return /^\s*\[\s*\{/.test(first) && /"body"\s*:/.test(first) && /"(parent_id|link_id)"\s*:/.test(first) ? 'reddit' : 'dialogues'
  }
  return votes.dialogues > votes.reddit ? 'dialogues' : 'reddit'
}
