import { scanValues } from './scan-comment'

/** A Reddit comment with the fields session building needs (Pushshift or BigQuery rows). */
export interface RedditComment {
  /** Base-36 id without the `t1_` prefix. */
  id: string
  /** The parent's id without its `tN_` prefix (a comment, or the submission for top-level comments). */
  parentId: string
  /** The submission's id without `t3_`: the thread. */
  linkId: string
  body: string
  author?: string
  /** `null` when the dump has none (`'None'` in old dumps); counts as 0 for `minScore`. */
  score: number | null
  subreddit?: string
  createdUtc?: number
}

/** Why a line is not a usable comment. */
export type CommentParseResult = { comment: RedditComment } | { error: string }

/** The id without a `tN_` type prefix (`t1_`, `t3_`, ...). */
export function stripPrefix(id: string): string {
  const d = id.charCodeAt(1)
  return id.charCodeAt(0) === 0x74 && d >= 0x30 && d <= 0x39 && id.charCodeAt(2) === 0x5f ? id.slice(3) : id
}

function numberOrNull(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value)
  return null
}

/** The row fields a comment is read from, in the order {@link commentFromValues} takes them. */
const COMMENT_FIELDS = ['id', 'parent_id', 'link_id', 'body', 'score', 'author', 'subreddit', 'created_utc'] as const
const REQUIRED = 4

/** A comment from the values of {@link COMMENT_FIELDS} (`undefined`: absent). */
function commentFromValues(v: readonly unknown[]): CommentParseResult {
  for (let k = 0; k < REQUIRED; k++) {
    if (typeof v[k] !== 'string') return { error: `field '${COMMENT_FIELDS[k]}' is ${v[k] === undefined ? 'missing' : `not a string (${JSON.stringify(v[k])})`}` }
  }
  const comment: RedditComment = {
    id: stripPrefix(v[0] as string),
    parentId: stripPrefix(v[1] as string),
    linkId: stripPrefix(v[2] as string),
    body: v[3] as string,
    score: numberOrNull(v[4]),
  }
  if (typeof v[5] === 'string') comment.author = v[5]
  if (typeof v[6] === 'string') comment.subreddit = v[6]
  const created = numberOrNull(v[7])
  if (created !== null) comment.createdUtc = created
  return { comment }
}

/**
 * Reads one comment from a parsed JSON row: Pushshift's fields (`id`, `parent_id`, `link_id`, `body`,
 * ...) with numbers as numbers or, as in BigQuery exports, as strings. Missing or mistyped required
 * fields give an error that says which.
 */
export function commentFromRow(row: unknown): CommentParseResult {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return { error: 'not a JSON object' }
  const r = row as Record<string, unknown>
  return commentFromValues(COMMENT_FIELDS.map((f) => r[f]))
}

const values: unknown[] = []

/**
 * Parses one NDJSON line into a comment (see {@link commentFromRow}). Only the fields a comment
 * needs are materialised (a validating field scanner); a line the scanner is not sure of goes through
 * `JSON.parse`, so the result (or the error message) is always `JSON.parse`'s.
 */
export function parseCommentLine(line: string): CommentParseResult {
  return scanValues(line, COMMENT_FIELDS, values) ? commentFromValues(values) : parseCommentRow(line)
}

/** A line through `JSON.parse` of the whole row: {@link parseCommentLine}'s fallback, and what it must always agree with. */
export function parseCommentRow(line: string): CommentParseResult {
  let row: unknown
  try {
    row = JSON.parse(line)
  } catch (error) {
    return { error: `invalid JSON (${(error as Error).message})` }
  }
  return commentFromRow(row)
}

const LINK_ID = /"link_id"\s*:\s*"([A-Za-z0-9_]+)"/g

/**
 * The thread id of a dump line without parsing it, when that is certain: the line holds exactly one
 * `"link_id": "<id>"` with a plain id (a quote inside a JSON string is escaped, so this text cannot
 * come from a string value). `undefined` when it is not certain: the caller parses the line. Used to
 * skip, unparsed, the lines of other shards' threads.
 */
export function quickLinkId(line: string): string | undefined {
  LINK_ID.lastIndex = 0
  const first = LINK_ID.exec(line)
  if (!first) return undefined
  if (line.indexOf('"link_id"', first.index + 1) !== -1) return undefined
  return stripPrefix(first[1]!)
}
