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
 * backslashes alone does not count (the normalisation deletes backslashes). With `limit`, counting
 * stops once the count passes it (the answer is then `limit + 1`): enough to tell a turn over the cap.
 */
export function wordCount(text: string, limit = Infinity): number {
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
      if (++words > limit) return words
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
export function threadSessions(comments: readonly RedditComment[], options: SessionOptions = {}, stats?: { cyclesCut: number }): RedditSession[] {
  const { leavesOnly = true, minDepth = 2, maxDepth = 5, maxTurnWords = 30 } = options
  const n = comments.length
  // A chain holds distinct comments: a thread smaller than minDepth has no session.
  if (n === 0 || n < minDepth) return []
  // Most threads are a few comments: ids are looked up by scanning them, larger threads through a Map
  // (id → the last comment with that id). Per-comment state lives in reused typed arrays.
  const byId = n > SMALL_THREAD ? new Map<string, number>() : null
  if (byId) for (let k = 0; k < n; k++) byId.set(comments[k]!.id, k)
  if (parentOf.length < n) {
    parentOf = new Int32Array(2 * n)
    flags = new Uint8Array(2 * n)
  }
  for (let k = 0; k < n; k++) {
    parentOf[k] = indexOfId(comments, byId, comments[k]!.parentId)
    flags[k] = 0
  }
  const cut = cutCycles(n)
  if (stats) stats.cyclesCut += cut
  if (leavesOnly) for (let k = 0; k < n; k++) if (parentOf[k]! >= 0) flags[parentOf[k]!]! |= HAS_CHILD
  const found: { target: RedditComment; chain: number[] }[] = []
  for (let k = 0; k < n; k++) {
    const target = comments[k]!
    if (leavesOnly && flags[indexOfId(comments, byId, target.id)]! & HAS_CHILD) continue
    const chain: number[] = []
    let node = k
    while (node >= 0 && chain.length < maxDepth && !inChain(comments, chain, comments[node]!.id)) {
      if (!(flags[node]! & WORDS_CHECKED)) {
        // A text of at most 2·max characters cannot hold more than max words (each word after the first needs a separator).
        const body = comments[node]!.body
        flags[node]! |= WORDS_CHECKED | (body.length > 2 * maxTurnWords && wordCount(body, maxTurnWords) > maxTurnWords ? TOO_LONG : 0)
      }
      if (flags[node]! & TOO_LONG) break
      chain.push(node)
      node = parentOf[node]!
    }
    if (chain.length >= minDepth) found.push({ target, chain })
  }
  // The original's order: targets sorted by (parent id, id). Sorting the targets that made a
  // session gives the same order as sorting every comment first (the sort is stable).
  if (found.length > 1) found.sort((x, y) => compareTargets(x.target, y.target))
  const turns: (string | undefined)[] = []
  return found.map(({ target, chain }) => {
    chain.reverse()
    return {
      linkId: target.linkId,
      ids: chain.map((c) => comments[c]!.id),
      turns: chain.map((c) => (turns[c] ??= minimalNormSentence(comments[c]!.body).trim())),
      subreddit: target.subreddit,
      score: target.score,
    }
  })
}

/**
 * Parent links that go round in a circle (A's parent is B, B's parent is A: corrupt data, never a
 * real thread) are cut: every comment on a cycle loses its parent, so no session walks through one.
 * Works on `parentOf[0..n)` in place, in O(n); returns the number of cycles cut.
 */
function cutCycles(n: number): number {
  if (visit.length < n) visit = new Uint8Array(2 * n)
  visit.fill(0, 0, n)
  let cycles = 0
  for (let k = 0; k < n; k++) {
    if (visit[k] !== 0) continue
    // Walk up from k marking the path (1 = on this walk) until a root, a finished node or the path itself.
    let node = k
    while (node >= 0 && visit[node] === 0) {
      visit[node] = 1
      node = parentOf[node]!
    }
    if (node >= 0 && visit[node] === 1) {
      // `node` is on this walk again: the walk from `node` round to itself is a cycle.
      cycles++
      let c = node
      do {
        const up = parentOf[c]!
        parentOf[c] = -1
        visit[c] = 2
        c = up
      } while (c !== node && c >= 0 && visit[c] === 1)
    }
    for (node = k; node >= 0 && visit[node] === 1; node = parentOf[node]!) visit[node] = 2
  }
  return cycles
}
let visit = new Uint8Array(1024)

/** Threads up to this size look ids up by scanning. */
const SMALL_THREAD = 16
const HAS_CHILD = 1
const WORDS_CHECKED = 2
const TOO_LONG = 4
let parentOf = new Int32Array(1024)
let flags = new Uint8Array(1024)

/** The index of the last comment with this id, or -1. */
function indexOfId(comments: readonly RedditComment[], byId: Map<string, number> | null, id: string): number {
  if (byId) return byId.get(id) ?? -1
  for (let j = comments.length - 1; j >= 0; j--) if (comments[j]!.id === id) return j
  return -1
}

/** Whether a comment with this id is in the chain already (a cycle in the parent links). */
function inChain(comments: readonly RedditComment[], chain: readonly number[], id: string): boolean {
  for (const c of chain) if (comments[c]!.id === id) return true
  return false
}

function compareTargets(a: RedditComment, b: RedditComment): number {
  if (a.parentId !== b.parentId) return a.parentId < b.parentId ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
