import ranks from 'gpt-tokenizer/bpeRanks/r50k_base'
import { R50K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants'

/** GPT-2's `<|endoftext|>`: DialoGPT's turn separator and padding. The one definition in the project. */
export const EOS_TOKEN_ID = 50256
/** Tokens in GPT-2's vocabulary (50 000 merges, 256 bytes, eos). */
export const GPT2_VOCAB_SIZE = 50257

/**
 * Pieces longer than this many bytes are merged with a heap (O(n log n)); shorter ones with a
 * plain scan (O(n²), but faster for the few bytes of an ordinary word).
 */
const HEAP_MIN_BYTES = 64
/** Merge results are cached for pieces up to this many characters, up to this many pieces. */
const CACHE_MAX_CHARS = 64
const CACHE_MAX_ENTRIES = 100_000

interface Tables {
  /** Token bytes as a "binary string" (one char per byte) → id. */
  idOf: Map<string, number>
  /** id → its bytes. */
  bytesOf: Uint8Array[]
}

let tables: Tables | undefined

function load(): Tables {
  if (tables) return tables
  const encoder = new TextEncoder()
  const idOf = new Map<string, number>()
  const bytesOf: Uint8Array[] = new Array(GPT2_VOCAB_SIZE)
  ranks.forEach((value, id) => {
    const bytes = typeof value === 'string' ? encoder.encode(value) : Uint8Array.from(value)
    bytesOf[id] = bytes
    idOf.set(binary(bytes, 0, bytes.length), id)
  })
  bytesOf[EOS_TOKEN_ID] = encoder.encode('<|endoftext|>')
  tables = { idOf, bytesOf }
  return tables
}

function binary(bytes: Uint8Array, from: number, to: number): string {
  let s = ''
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]!)
  return s
}

/**
 * GPT-2's byte-level BPE (the `r50k_base` ranks that `gpt-tokenizer` ships), with the same ids as
 * `gpt-tokenizer`'s `encode` for any text it can encode, and none of its failure modes on hostile
 * input: a single 300 000-letter word is merged with a heap instead of a quadratic scan (0.1 s
 * instead of 90 s), and no result is spread into a call's arguments (60 000 CJK characters or
 * 50 000 emoji no longer overflow the stack). The text is split into pieces by GPT-2's
 * pre-tokenisation pattern; BPE never merges across pieces, so each is merged on its own, leftmost
 * lowest-ranked pair first. `<|endoftext|>` in the text is text: callers insert {@link EOS_TOKEN_ID}.
 */
export function encodeGpt2(text: string): number[] {
  const { idOf } = load()
  const out: number[] = []
  const encoder = new TextEncoder()
  for (const match of text.matchAll(R50K_TOKEN_SPLIT_REGEX)) {
    const piece = match[0]
    const cached = cache.get(piece)
    if (cached) {
      for (const id of cached) out.push(id)
      continue
    }
    const bytes = encoder.encode(piece)
    const whole = idOf.get(binary(bytes, 0, bytes.length))
    const ids = whole !== undefined ? [whole] : bytes.length >= HEAP_MIN_BYTES ? mergeWithHeap(bytes, idOf) : mergeByScan(bytes, idOf)
    if (piece.length <= CACHE_MAX_CHARS) {
      if (cache.size >= CACHE_MAX_ENTRIES) cache.clear()
      cache.set(piece, ids)
    }
    for (const id of ids) out.push(id)
  }
  return out
}

const cache = new Map<string, number[]>()

/**
 * The text of `ids`: their bytes joined, then decoded as UTF-8 once, so a character split over
 * several tokens comes out whole, and an incomplete one at the end becomes U+FFFD (which streaming
 * uses to hold it back). Unlike `gpt-tokenizer`'s `decode`, no state is carried from one call to
 * the next. An id outside the vocabulary is a `RangeError`.
 */
export function decodeGpt2(ids: readonly number[]): string {
  const { bytesOf } = load()
  let length = 0
  for (const id of ids) {
    const bytes = bytesOf[id]
    if (bytes === undefined) throw new RangeError(`token id ${id} is not in GPT-2's vocabulary [0, ${GPT2_VOCAB_SIZE})`)
    length += bytes.length
  }
  const all = new Uint8Array(length)
  let at = 0
  for (const id of ids) {
    const bytes = bytesOf[id]!
    all.set(bytes, at)
    at += bytes.length
  }
  return new TextDecoder().decode(all)
}

/** The ids of the tokens between the given byte boundaries (`starts` ascending, then `bytes.length`). */
function tokensAt(bytes: Uint8Array, starts: ArrayLike<number>, count: number, idOf: Map<string, number>): number[] {
  const out: number[] = new Array(count)
  for (let k = 0; k < count; k++) {
    const id = idOf.get(binary(bytes, starts[k]!, k + 1 < count ? starts[k + 1]! : bytes.length))
    if (id === undefined) throw new Error(`BPE produced a token that is not in the vocabulary (bytes ${starts[k]}..)`)
    out[k] = id
  }
  return out
}

/** The rank (= id) of the bytes [from, to), or Infinity if they are not a token. */
function rank(bytes: Uint8Array, from: number, to: number, idOf: Map<string, number>): number {
  return idOf.get(binary(bytes, from, to)) ?? Infinity
}

/** BPE by repeated scans for the leftmost lowest-ranked adjacent pair (for short pieces). */
function mergeByScan(bytes: Uint8Array, idOf: Map<string, number>): number[] {
  const starts: number[] = []
  for (let i = 0; i < bytes.length; i++) starts.push(i)
  const end = (k: number) => (k < starts.length ? starts[k]! : bytes.length)
  const ranks: number[] = []
  for (let k = 0; k + 1 < starts.length; k++) ranks.push(rank(bytes, starts[k]!, end(k + 2), idOf))
  for (;;) {
    let best = Infinity
    let at = -1
    for (let k = 0; k < ranks.length; k++)
      if (ranks[k]! < best) {
        best = ranks[k]!
        at = k
      }
    if (at < 0) break
    starts.splice(at + 1, 1)
    ranks.splice(at, 1)
    if (at < ranks.length) ranks[at] = rank(bytes, starts[at]!, end(at + 2), idOf)
    if (at > 0) ranks[at - 1] = rank(bytes, starts[at - 1]!, end(at + 1), idOf)
  }
  return tokensAt(bytes, starts, starts.length, idOf)
}

/**
 * The same merges in O(n log n): parts are a linked list of byte offsets, and candidate pairs sit
 * in a binary heap ordered by (rank, offset), so the pair taken is always the lowest-ranked and,
 * among equals, the leftmost — exactly the scan's choice. Entries made stale by a merge are skipped.
 */
function mergeWithHeap(bytes: Uint8Array, idOf: Map<string, number>): number[] {
  const n = bytes.length
  const next = new Int32Array(n)
  const prev = new Int32Array(n)
  const pairRank = new Float64Array(n)
  const alive = new Uint8Array(n).fill(1)
  for (let i = 0; i < n; i++) {
    next[i] = i + 1
    prev[i] = i - 1
  }
  const heap = new PairHeap()
  const end = (i: number) => (i < n ? next[i]! : n)
  const update = (i: number) => {
    const j = next[i]!
    pairRank[i] = j < n ? rank(bytes, i, end(j), idOf) : Infinity
    if (pairRank[i] !== Infinity) heap.push(pairRank[i]!, i)
  }
  for (let i = 0; i < n; i++) update(i)
  let parts = n
  while (heap.size > 0) {
    const [r, i] = heap.pop()
    if (!alive[i] || pairRank[i] !== r || next[i]! >= n) continue
    const j = next[i]!
    alive[j] = 0
    next[i] = next[j]!
    if (next[j]! < n) prev[next[j]!] = i
    parts--
    update(i)
    if (prev[i]! >= 0) update(prev[i]!)
  }
  const starts = new Int32Array(parts)
  for (let i = 0, k = 0; i < n; i = next[i]!) starts[k++] = i
  return tokensAt(bytes, starts, parts, idOf)
}

/** A binary min-heap of (rank, offset) pairs. */
class PairHeap {
  private ranks: number[] = []
  private offsets: number[] = []

  get size(): number {
    return this.ranks.length
  }

  private less(a: number, b: number): boolean {
    return this.ranks[a]! < this.ranks[b]! || (this.ranks[a] === this.ranks[b] && this.offsets[a]! < this.offsets[b]!)
  }

  private swap(a: number, b: number): void {
    ;[this.ranks[a], this.ranks[b]] = [this.ranks[b]!, this.ranks[a]!]
    ;[this.offsets[a], this.offsets[b]] = [this.offsets[b]!, this.offsets[a]!]
  }

  push(r: number, offset: number): void {
    this.ranks.push(r)
    this.offsets.push(offset)
    for (let k = this.ranks.length - 1; k > 0; ) {
      const parent = (k - 1) >> 1
      if (!this.less(k, parent)) break
      this.swap(k, parent)
      k = parent
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.ranks[0]!, this.offsets[0]!]
    const last = this.ranks.length - 1
    this.swap(0, last)
    this.ranks.pop()
    this.offsets.pop()
    for (let k = 0; ; ) {
      const l = 2 * k + 1
      const r = l + 1
      let m = k
      if (l < this.ranks.length && this.less(l, m)) m = l
      if (r < this.ranks.length && this.less(r, m)) m = r
      if (m === k) break
      this.swap(k, m)
      k = m
    }
    return top
  }
}
