import { GPT2Tokenizer } from './tokenizer'

/** Where a listed phrase was found in a text. */
export interface BlockedMatch {
  phrase: string
  /** Index of the match's first character in the text. */
  index: number
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

/**
 * Phrases the model must not say, enforced twice:
 * - **while decoding**, as `badWordsIds`: every tokenisation of each phrase that GPT-2's BPE can
 *   produce in running text — with and without a leading space, lower case, as written,
 *   Capitalised, Title Case and UPPER CASE — so sampling cannot reach them token by token;
 * - **on the output** ({@link BlockList.find}): a case-insensitive whole-word search, which also
 *   catches spellings the token ban does not cover (`bAdWoRd`, a phrase split across other tokens).
 *
 * `DialoGPT` and `ChatSession` take one (`blockList` option): a reply in which the output check
 * still finds a phrase is cut before it and ends with `finishedBy: 'filtered'`.
 */
export class BlockList {
  readonly phrases: readonly string[]
  /** The token sequences to ban, for `GenerationConfig.badWordsIds`. */
  readonly badWordsIds: readonly number[][]
  private readonly pattern: RegExp | null
  /** The longest phrase, in characters (a streamed reply holds back this much text until it is checked). */
  readonly longest: number

  constructor(phrases: Iterable<string>, tokenizer: GPT2Tokenizer = new GPT2Tokenizer()) {
    const list = [...new Set([...phrases].map((p) => p.trim().replace(/\s+/g, ' ')).filter((p) => p.length > 0))]
    this.phrases = list
    const seen = new Set<string>()
    const ids: number[][] = []
    for (const phrase of list) {
      const lower = phrase.toLowerCase()
      const forms = new Set([phrase, lower, capitalize(lower), lower.split(' ').map(capitalize).join(' '), phrase.toUpperCase()])
      for (const form of forms)
        for (const text of [form, ` ${form}`]) {
          const seq = tokenizer.encode(text)
          const key = seq.join(',')
          if (!seen.has(key)) {
            seen.add(key)
            ids.push(seq)
          }
        }
    }
    this.badWordsIds = ids
    this.longest = Math.max(0, ...list.map((p) => p.length))
    this.pattern = list.length === 0 ? null : new RegExp(`(?<![\\p{L}\\p{N}])(?:${list.map((p) => p.split(' ').map(escape).join('\\s+')).join('|')})(?![\\p{L}\\p{N}])`, 'iu')
  }

  /** A block list from a text file's content: one phrase per line; blank lines and lines starting with `#` are skipped. */
  static parse(text: string): BlockList {
    return new BlockList(text.split(/\r?\n/).filter((line) => !line.trimStart().startsWith('#')))
  }

  /** The first listed phrase in `text` (case-insensitive, as a whole word or words), or null. */
  find(text: string): BlockedMatch | null {
    if (!this.pattern) return null
    const m = this.pattern.exec(text)
    if (!m) return null
    const found = m[0].toLowerCase().replace(/\s+/g, ' ')
    return { phrase: this.phrases.find((p) => p.toLowerCase() === found) ?? m[0], index: m.index }
  }
}
