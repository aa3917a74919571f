/**
 * Hugging Face's logits processors, applied row by row to a score vector (`Float32Array` or
 * `Float64Array` over the vocabulary) given the row's full ids (prompt + generated so far,
 * padding included). Each mutates `scores` in place. Filtered entries become `-Infinity`.
 */
export type Scores = Float32Array | Float64Array

/** Every distinct id in `ids`: negative scores are multiplied by `penalty`, others divided. */
export function applyRepetitionPenalty(scores: Scores, ids: readonly number[], penalty: number): void {
  for (const id of new Set(ids)) {
    if (id < 0 || id >= scores.length) continue
    const s = scores[id]!
    scores[id] = s < 0 ? s * penalty : s / penalty
  }
}

/** The ids that would complete an n-gram already in `ids` (HF `no_repeat_ngram_size`; n = 1 bans every id present). */
export function bannedNgramTokens(ids: readonly number[], n: number): number[] {
  if (n <= 0 || ids.length < n) return []
  const prefixStart = ids.length - (n - 1)
  const banned: number[] = []
  for (let j = 0; j + n <= ids.length; j++) {
    let match = true
    for (let k = 0; k < n - 1; k++)
      if (ids[j + k] !== ids[prefixStart + k]) {
        match = false
        break
      }
    if (match) banned.push(ids[j + n - 1]!)
  }
  return banned
}

export function applyNoRepeatNgram(scores: Scores, ids: readonly number[], n: number): void {
  for (const id of bannedNgramTokens(ids, n)) scores[id] = -Infinity
}

/** Single-token entries always; a multi-token entry bans its last token when the row ends with the rest. */
export function applyBadWords(scores: Scores, ids: readonly number[], badWordsIds: readonly (readonly number[])[], eosIds: readonly number[]): void {
  for (const entry of badWordsIds) {
    if (entry.length === 0 || (entry.length === 1 && eosIds.includes(entry[0]!))) continue
    const prefix = entry.slice(0, -1)
    if (prefix.length > ids.length) continue
    let match = true
    for (let k = 0; k < prefix.length; k++)
      if (ids[ids.length - prefix.length + k] !== prefix[k]) {
        match = false
        break
      }
    if (match) scores[entry[entry.length - 1]!] = -Infinity
  }
}

/** While fewer than `minNewTokens` tokens have been generated, every eos id is banned. */
export function applyMinNewTokens(scores: Scores, generated: number, minNewTokens: number, eosIds: readonly number[]): void {
  if (generated < minNewTokens) for (const id of eosIds) scores[id] = -Infinity
}

export function applyTemperature(scores: Scores, temperature: number): void {
  for (let i = 0; i < scores.length; i++) scores[i] = scores[i]! / temperature
}

/** Keeps values >= the k-th largest (ties with it survive, as in HF). */
export function applyTopK(scores: Scores, k: number, minTokensToKeep = 1): void {
  const keep = Math.min(Math.max(k, minTokensToKeep), scores.length)
  if (keep >= scores.length) return
  const threshold = kthLargest(scores, keep)
  for (let i = 0; i < scores.length; i++) if (scores[i]! < threshold) scores[i] = -Infinity
}

/**
 * Nucleus filtering as HF does it: sort ascending, remove the positions whose cumulative
 * probability is <= 1 - p, never the top `minTokensToKeep`.
 */
export function applyTopP(scores: Scores, p: number, minTokensToKeep = 1): void {
  if (p >= 1) return
  const order = Array.from(scores.keys()).filter((i) => scores[i] !== -Infinity)
  order.sort((a, b) => scores[a]! - scores[b]! || b - a)
  const max = scores[order[order.length - 1]!]!
  let total = 0
  for (const i of order) total += Math.exp(scores[i]! - max)
  let cum = 0
  const removeUpTo = order.length - minTokensToKeep
  for (let r = 0; r < order.length; r++) {
    cum += Math.exp(scores[order[r]!]! - max) / total
    if (cum <= 1 - p && r < removeUpTo) scores[order[r]!] = -Infinity
    else if (cum > 1 - p) break
  }
}

function kthLargest(values: Scores, k: number): number {
  // A bounded min-heap of the k largest values.
  const heap = new Float64Array(k)
  let size = 0
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1
      if (heap[p]! <= heap[i]!) break
      ;[heap[p], heap[i]] = [heap[i]!, heap[p]!]
      i = p
    }
  }
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < size && heap[l]! < heap[m]!) m = l
      if (r < size && heap[r]! < heap[m]!) m = r
      if (m === i) return
      ;[heap[m], heap[i]] = [heap[i]!, heap[m]!]
      i = m
    }
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (size < k) {
      heap[size] = v
      up(size++)
    } else if (v > heap[0]!) {
      heap[0] = v
      down(0)
    }
  }
  return heap[0]!
}
