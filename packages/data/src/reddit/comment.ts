import { scanFields } from './scan-comment'

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

const stripPrefix = (id: string) => id.replace(/^t\d_/, '')

function numberOrNull(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value)
  return null
}

/**
 * Reads one comment from a parsed JSON row: Pushshift's fields (`id`, `parent_id`, `link_id`, `body`,
 * ...) with numbers as numbers or, as in BigQuery exports, as strings. Missing or mistyped required
 * fields give an error that says which.
 */
export function commentFromRow(row: unknown): CommentParseResult {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return { error: 'not a JSON object' }
  const r = row as Record<string, unknown>
  for (const field of ['id', 'parent_id', 'link_id', 'body'] as const) {
    if (typeof r[field] !== 'string') return { error: `field '${field}' is ${r[field] === undefined ? 'missing' : `not a string (${JSON.stringify(r[field])})`}` }
  }
  const comment: RedditComment = {
    id: stripPrefix(r.id as string),
    parentId: stripPrefix(r.parent_id as string),
    linkId: stripPrefix(r.link_id as string),
    body: r.body as string,
    score: numberOrNull(r.score),
  }
  if (typeof r.author === 'string') comment.author = r.author
  if (typeof r.subreddit === 'string') comment.subreddit = r.subreddit
  const created = numberOrNull(r.created_utc)
  if (created !== null) comment.createdUtc = created
  return { comment }
}

/** The row fields {@link commentFromRow} reads. */
const COMMENT_FIELDS: ReadonlySet<string> = new Set(['id', 'parent_id', 'link_id', 'body', 'score', 'author', 'subreddit', 'created_utc'])

/**
 * Parses one NDJSON line into a comment (see {@link commentFromRow}). Only the fields a comment
 * needs are materialised (a validating field scanner); a line the scanner is not sure of goes through
 * `JSON.parse`, so the result (or the error message) is always `JSON.parse`'s.
 */
export function parseCommentLine(line: string): CommentParseResult {
  const fields = scanFields(line, COMMENT_FIELDS)
  return fields ? commentFromRow(fields) : parseCommentRow(line)
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
