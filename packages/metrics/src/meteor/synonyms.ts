import { javaTokenize } from './java-string'

/**
 * METEOR's WordNet-3 synonym dictionary: word forms → synset ids, plus irregular forms → base
 * forms. A word's synsets for matching are its own plus those of its base form, found in the
 * exceptions list or by WordNet's `morphy` suffix rules (a base form counts only if it is in the
 * synset table).
 */
export class SynonymDictionary {
  // word → its line of synset ids, parsed on first use (parsing all 147k up front costs more than a whole evaluation).
  private readonly synsets = new Map<string, string>()
  private readonly bases = new Map<string, string[]>()
  private readonly cache = new Map<string, Set<number>>()

  /**
   * @param synsetsText METEOR's `english.synsets`: a word line, then a line of synset ids, repeated
   * @param exceptionsText METEOR's `english.exceptions`: a base-form line, then a line of its irregular forms, repeated
   */
  constructor(synsetsText: string, exceptionsText: string) {
    const syn = synsetsText.split(/\r\n|\r|\n/)
    for (let i = 0; i + 1 < syn.length; i += 2) {
      this.synsets.set(syn[i]!, syn[i + 1]!)
    }
    const exc = exceptionsText.split(/\r\n|\r|\n/)
    for (let i = 0; i + 1 < exc.length; i += 2) {
      const base = exc[i]!
      for (const form of javaTokenize(exc[i + 1]!)) {
        const list = this.bases.get(form)
        if (list) list.push(base)
        else this.bases.set(form, [base])
      }
    }
  }

  /** Number of word forms in the synset table. */
  get size(): number {
    return this.synsets.size
  }

  /** Synset ids of the word itself. */
  synSets(word: string): readonly number[] {
    const line = this.synsets.get(word)
    return line === undefined ? [] : javaTokenize(line).map((t) => Number.parseInt(t, 10))
  }

  /** Synset ids of the word's base form(s): irregular forms from the exceptions list, else `morphy`. */
  stemSynSets(word: string): readonly number[] {
    const bases = this.bases.get(word)
    if (bases) return bases.flatMap((b) => this.synSets(b))
    return this.synSets(this.morph(word))
  }

  /** Every synset id the synonym matcher considers for a word. */
  allSynSets(word: string): ReadonlySet<number> {
    let set = this.cache.get(word)
    if (!set) {
      set = new Set([...this.synSets(word), ...this.stemSynSets(word)])
      if (this.cache.size > 200_000) this.cache.clear()
      this.cache.set(word, set)
    }
    return set
  }

  private morph(word: string): string {
    if (word.endsWith('ss') || word.length <= 2) return word
    for (let i = 0; i < MORPH_SUFFIXES.length; i++) {
      const [suffix, ending] = MORPH_SUFFIXES[i]!
      if (word.endsWith(suffix)) {
        const candidate = word.slice(0, word.length - suffix.length) + ending
        if (this.synsets.has(candidate)) return candidate
      }
    }
    return ''
  }
}

// WordNet morphy's detachment rules, nouns then verbs then adjectives, tried in order.
const MORPH_SUFFIXES: [string, string][] = [
  ['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y'],
  ['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', ''],
  ['er', ''], ['est', ''], ['er', 'e'], ['est', 'e'],
]
