import type { RedditComment } from './comment'
import { minimalNormSentence } from './extract'

/** One root-to-leaf path of a thread: the turns, oldest first. */
export interface RedditSession {
  linkId: string
  /** Comment ids of the turns, parents before children. */
  ids: string[]
  turns: string[]
  subreddit?: string
  /** The target (last) comment's score. */
  score: number | null
}

export interface SessionOptions {
  /** Only leaves (comments nobody replied to) are targets, as Microsoft's data. Default true. */
  leavesOnly?: boolean
  /** Fewer turns than this and the session is not emitted. Default 2. */
  minDepth?: number
  /** At most this many turns (the last ones of the path). Default 5. */
  maxDepth?: number
  /** A turn longer than this many words cuts the chain there (the original's `max_len`). Default 30. */
  maxTurnWords?: number
}

/** JavaScript's `\s`: what `split(/\s+/)` splits on. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d)
  if (c < 0xa0) return false
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
}

/**
 * Words of `text` after {@link minimalNormSentence}, as `split(/\s+/).filter(Boolean).length`
 * counts them, without building either string: runs of non-space characters, where a run of
 * backslashes alone does not count (the normalisation deletes backslashes).
 */
export function wordCount(text: string): number {
  let words = 0
  let inWord = false
  let counted = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (isSpace(c)) {
      inWord = false
      continue
    }
    if (!inWord) {
      inWord = true
      counted = false
    }
    if (!counted && c !== 0x5c) {
      counted = true
      words++
    }
  }
  return words
}

/**
 * The sessions of one thread, as the original's `get_convo` builds them: for every target comment
 * (every leaf, with `leavesOnly`), walk up through parent comments, at most `maxDepth` turns; a
 * comment over `maxTurnWords` words ends the walk (a too-long target gives nothing), and so does a
 * parent that is not among `comments` (dropped, or the submission). Turns are the comments'
 * bodies after {@link minimalNormSentence}.
 */
export function threadSessions(comments: readonly RedditComment[], options: SessionOptions = {}): RedditSession[] {
  const { leavesOnly = true, minDepth = 2, maxDepth = 5, maxTurnWords = 30 } = options
  const byId = new Map<string, RedditComment>()
  for (const c of comments) byId.set(c.id, c)
  const words = new Map<string, number>()
  const wordsOf = (c: RedditComment) => {
    let n = words.get(c.id)
    if (n === undefined) words.set(c.id, (n = wordCount(c.body)))
    return n
  }
  const parents = new Set(comments.map((c) => c.parentId))
  const out: RedditSession[] = []
  const sorted = [...comments].sort((a, b) => (a.parentId < b.parentId ? -1 : a.parentId > b.parentId ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  for (const target of sorted) {
    if (leavesOnly && parents.has(target.id)) continue
    const chain: RedditComment[] = []
    const seen = new Set<string>()
    let node: RedditComment | undefined = target
    while (node && chain.length < maxDepth && !seen.has(node.id)) {
      if (wordsOf(node) > maxTurnWords) break
      seen.add(node.id)
      chain.push(node)
      node = byId.get(node.parentId)
    }
    if (chain.length < minDepth) continue
    chain.reverse()
    out.push({ linkId: target.linkId, ids: chain.map((c) => c.id), turns: chain.map((c) => minimalNormSentence(c.body).trim()), subreddit: target.subreddit, score: target.score })
  }
  return out
}
