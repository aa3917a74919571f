import { drop, KEEP, words, type Filter, type Instance } from './instance'

/**
 * Whether `re` matches in the source or the target. The rules below test the turns one by one
 * instead of their join: none of their patterns can match across the space a join would add.
 */
const anyTurn = (i: Instance, re: RegExp) => re.test(i.target) || i.source.some((t) => re.test(t))

const URL_PATTERN = /(?:https?:\/\/|www\.)\S|__url__/i
const CAPITALS = /[A-Z]{5,}/

/** Paper rule 1: a URL in the source or the target (also the `__url__` placeholder of normalised text). */
export const urlFilter: Filter = (i) => (anyTurn(i, URL_PATTERN) ? drop('url') : KEEP)

/** Paper rule 2: the target repeats one word three times in a row. */
export const repetitionFilter: Filter = (i) => {
  const w = words(i.target.toLowerCase())
  for (let k = 2; k < w.length; k++) if (w[k] === w[k - 1] && w[k] === w[k - 2]) return drop('word-repetition')
  return KEEP
}

/**
 * Paper rule 3: the target contains none of the most frequent English words (probably not
 * English). The original code never implemented it. `commonWords` defaults to
 * {@link TOP_ENGLISH_WORDS}; {@link mostFrequentWords} computes a list from your own corpus.
 */
export function commonWordFilter(commonWords: Iterable<string> = TOP_ENGLISH_WORDS): Filter {
  const set = new Set([...commonWords].map((w) => w.toLowerCase()))
  return (i) => (words(i.target.toLowerCase().replace(/[^\p{L}\p{N}'\s]/gu, ' ')).some((w) => set.has(w)) ? KEEP : drop('no-common-english-word'))
}

/** Paper rule 4: `[` or `]` (markup) in the source or target; `parentheses: true` adds `(` `)` as the original code does. */
export function markupFilter(options: { parentheses?: boolean } = {}): Filter {
  const re = options.parentheses ? /[[\]()]/ : /[[\]]/
  return (i) => (anyTurn(i, re) ? drop('markup') : KEEP)
}

/** Paper rule 5: source and target together longer than `maxWords` (200) words. */
export function lengthFilter(maxWords = 200): Filter {
  return (i) => {
    let n = countWords(i.target)
    for (const t of i.source) n += countWords(t)
    return n > maxWords ? drop('too-long') : KEEP
  }
}

const WORDS = /\S+/g

/** `words(text).length` without building the words. */
function countWords(text: string): number {
  let n = 0
  WORDS.lastIndex = 0
  while (WORDS.test(text)) n++
  return n
}

/** The original code's rule: a target token longer than `maxChars` (30) characters. */
export function longTokenFilter(maxChars = 30): Filter {
  // A word of at most maxChars UTF-16 units has at most maxChars characters: only longer ones are counted.
  return (i) => (words(i.target).some((w) => w.length > maxChars && [...w].length > maxChars) ? drop('long-token') : KEEP)
}

/** The original code's rule: five or more capitals in a row ("yelling") in the source or target. */
export const capitalsFilter: Filter = (i) => (anyTurn(i, CAPITALS) ? drop('capitals') : KEEP)

/** Paper rule 6: an offensive phrase in the target (whole words, case-insensitive; the list is yours). */
export function phraseBlocklistFilter(phrases: Iterable<string>): Filter {
  const list = [...phrases].map((p) => words(p.toLowerCase()).join(' ')).filter(Boolean)
  return (i) => {
    const text = ` ${words(i.target.toLowerCase().replace(/[^\p{L}\p{N}'\s]/gu, ' ')).join(' ')} `
    return list.some((p) => text.includes(` ${p} `)) ? drop('blocklisted-phrase') : KEEP
  }
}

/** Paper: conversations from excluded subreddits (case-insensitive; the list is yours). */
export function subredditFilter(blocked: Iterable<string>): Filter {
  const set = new Set([...blocked].map((s) => s.trim().toLowerCase().replace(/^\/?r\//, '')))
  return (i) => (i.subreddit !== undefined && set.has(i.subreddit.toLowerCase()) ? drop('blocked-subreddit') : KEEP)
}

/**
 * Paper: blandness — at least `fraction` (90%) of the target's word trigrams were seen more than
 * `minCount` (1000) times in the corpus. `count` answers from a counting pass over the corpus
 * (exact or a sketch); targets with no trigram are kept.
 */
export function blandnessFilter(count: (trigram: string) => number, options: { fraction?: number; minCount?: number } = {}): Filter {
  const fraction = options.fraction ?? 0.9
  const minCount = options.minCount ?? 1000
  return (i) => {
    const grams = trigrams(i.target)
    if (grams.length === 0) return KEEP
    const common = grams.filter((g) => count(g) > minCount).length
    return common / grams.length >= fraction ? drop('bland') : KEEP
  }
}

/** The lower-cased word trigrams of a text, as {@link blandnessFilter} counts them. */
export function trigrams(text: string): string[] {
  const w = words(text.toLowerCase())
  const out: string[] = []
  for (let k = 0; k + 3 <= w.length; k++) out.push(`${w[k]} ${w[k + 1]} ${w[k + 2]}`)
  return out
}

/** The `n` most frequent lower-cased words of a corpus (ties by first appearance). */
export function mostFrequentWords(texts: Iterable<string>, n = 50): string[] {
  const counts = new Map<string, number>()
  for (const t of texts) for (const w of words(t.toLowerCase().replace(/[^\p{L}\p{N}'\s]/gu, ' '))) counts.set(w, (counts.get(w) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([w]) => w)
}

/** Fifty very frequent English words (function words and common verbs), the default of {@link commonWordFilter}. */
export const TOP_ENGLISH_WORDS = [
  'the', 'of', 'and', 'a', 'to', 'in', 'is', 'you', 'that', 'it', 'he', 'was', 'for', 'on', 'are', 'as', 'with',
  'his', 'they', 'i', 'at', 'be', 'this', 'have', 'from', 'or', 'one', 'had', 'by', 'not', 'but', 'what', 'all',
  'were', 'we', 'when', 'your', 'can', 'said', 'there', 'an', 'which', 'she', 'do', 'how', 'their', 'if', 'will',
  'so', 'no',
] as const
