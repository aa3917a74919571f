import { stemEnglish } from './english-stemmer'
import { javaHashCode } from './java-string'
import type { ParaphraseTable } from './paraphrase-table'
import type { SynonymDictionary } from './synonyms'

/** A METEOR matcher module. */
export type MeteorModule = 'exact' | 'stem' | 'synonym' | 'paraphrase'

/** One candidate match: `length` reference words at `start` ↔ `matchLength` test words at `matchStart`. */
interface Match {
  /** Index of the module (position in the module list) that produced it. */
  module: number
  start: number
  length: number
  matchStart: number
  matchLength: number
}

/** The counts METEOR keeps for an alignment and, summed, for a corpus. */
export interface MatchCounts {
  testFunctionWords: number
  referenceFunctionWords: number
  /** Per module (in module-list order): matched content / function words on each side. */
  testContentMatches: number[]
  referenceContentMatches: number[]
  testFunctionMatches: number[]
  referenceFunctionMatches: number[]
  chunks: number
}

/** A word alignment between a test (hypothesis) and a reference, with METEOR's counts. */
export interface Alignment extends MatchCounts {
  testWords: string[]
  referenceWords: string[]
}

/** What the aligner needs besides the words. */
export interface AlignerResources {
  functionWords: ReadonlySet<string>
  synonyms?: SynonymDictionary
  paraphrases?: ParaphraseTable
}

const stemHashes = new Map<string, number>()
/** Java hash of a word's stem, memoised: the same words recur across references and segments. */
function stemHash(word: string): number {
  let h = stemHashes.get(word)
  if (h === undefined) {
    h = javaHashCode(stemEnglish(word))
    if (stemHashes.size > 200_000) stemHashes.clear()
    stemHashes.set(word, h)
  }
  return h
}

class PartialAlignment {
  matchCount = 0
  matches1 = 0
  matches2 = 0
  allMatches1 = 0
  allMatches2 = 0
  chunks = 0
  idx = 0
  lastMatchEnd = -1
  distance = 0
  constructor(
    public matches: (Match | null)[],
    public line1Used: boolean[],
    public line2Used: boolean[],
  ) {}

  copy(): PartialAlignment {
    const p = new PartialAlignment(this.matches.slice(), this.line1Used.slice(), this.line2Used.slice())
    p.matchCount = this.matchCount
    p.matches1 = this.matches1
    p.matches2 = this.matches2
    p.allMatches1 = this.allMatches1
    p.allMatches2 = this.allMatches2
    p.chunks = this.chunks
    p.idx = this.idx
    p.lastMatchEnd = this.lastMatchEnd
    p.distance = this.distance
    return p
  }

  isUsed(m: Match): boolean {
    for (let i = 0; i < m.length; i++) if (this.line2Used[m.start + i]) return true
    for (let i = 0; i < m.matchLength; i++) if (this.line1Used[m.matchStart + i]) return true
    return false
  }

  setUsed(m: Match): void {
    for (let i = 0; i < m.length; i++) this.line2Used[m.start + i] = true
    for (let i = 0; i < m.matchLength; i++) this.line1Used[m.matchStart + i] = true
  }
}

// METEOR orders partial paths by weighted matches (more first), then chunks, then distance.
function comparePaths(x: PartialAlignment, y: PartialAlignment): number {
  const matchDiff = y.matches1 + y.matches2 - (x.matches1 + x.matches2)
  if (matchDiff > 0) return 1
  if (matchDiff < 0) return -1
  if (x.chunks !== y.chunks) return x.chunks - y.chunks
  return x.distance - y.distance
}

/**
 * Aligns test words to reference words as METEOR 1.5's `Aligner` does: every module proposes
 * one-word matches (exact: same word; stem: different words, same stem; synonym: different words
 * sharing a synset), one-to-one uncontested matches are fixed, and a beam search (width 40) picks
 * the rest. The search reproduces METEOR's arithmetic exactly: path scores are Java `int`s
 * updated with `+= length * weight` (so a 0.5-weighted one-word match adds nothing), and the
 * distance of a new path is added to the path it branched from.
 */
export function align(
  testWords: string[],
  referenceWords: string[],
  modules: readonly MeteorModule[],
  resources: AlignerResources,
  beamSize = 40,
): Alignment {
  const h1 = testWords.map(javaHashCode)
  const h2 = referenceWords.map(javaHashCode)
  const candidates: Match[][] = referenceWords.map(() => [])
  const line1Coverage = new Array<number>(testWords.length).fill(0)
  const line2Coverage = new Array<number>(referenceWords.length).fill(0)
  const add = (module: number, j: number, i: number, length = 1, matchLength = 1) => {
    candidates[j]!.push({ module, start: j, length, matchStart: i, matchLength })
    for (let k = 0; k < matchLength; k++) line1Coverage[i + k]!++
    for (let k = 0; k < length; k++) line2Coverage[j + k]!++
  }

  const identical = h1.length === h2.length && h1.every((h, i) => h === h2[i])
  const modulesUsed = identical ? 1 : modules.length
  for (let mod = 0; mod < modulesUsed; mod++) {
    const kind = modules[mod]!
    if (kind === 'exact') {
      for (let j = 0; j < h2.length; j++) for (let i = 0; i < h1.length; i++) if (h1[i] === h2[j]) add(mod, j, i)
    } else if (kind === 'stem') {
      const s1 = testWords.map(stemHash)
      const s2 = referenceWords.map(stemHash)
      for (let j = 0; j < s2.length; j++) for (let i = 0; i < s1.length; i++) if (s1[i] === s2[j] && h1[i] !== h2[j]) add(mod, j, i)
    } else if (kind === 'synonym') {
      const dict = resources.synonyms
      if (!dict) throw new Error('the synonym module needs the synonym dictionary')
      const sets1 = testWords.map((w) => dict.allSynSets(w))
      const sets2 = referenceWords.map((w) => dict.allSynSets(w))
      for (let j = 0; j < sets2.length; j++)
        for (let i = 0; i < sets1.length; i++) {
          if (h1[i] === h2[j]) continue
          for (const id of sets1[i]!)
            if (sets2[j]!.has(id)) {
              add(mod, j, i)
              break
            }
        }
    } else if (kind === 'paraphrase') {
      const table = resources.paraphrases
      if (!table) throw new Error('the paraphrase module needs the paraphrase table')
      const line1 = table.ids(testWords)
      const line2 = table.ids(referenceWords)
      const startsWith = (line: number[], at: number, words: number[]) => words.every((w, k) => at + k < line.length && line[at + k] === w)
      // Reference phrases whose paraphrase occurs in the test, then test phrases whose paraphrase occurs in the reference.
      for (let j = 0; j < line2.length; j++)
        for (const { length, paraphrase } of table.phrasesAt(line2, j))
          for (let i = 0; i < line1.length; i++) if (startsWith(line1, i, paraphrase)) add(mod, j, i, length, paraphrase.length)
      for (let i = 0; i < line1.length; i++)
        for (const { length, paraphrase } of table.phrasesAt(line1, i))
          for (let j = 0; j < line2.length; j++) if (startsWith(line2, j, paraphrase)) add(mod, j, i, paraphrase.length, length)
    } else throw new Error(`METEOR module '${kind}' is not available`)
  }

  // One-to-one, uncontested matches are definite.
  const start = new PartialAlignment(new Array<Match | null>(referenceWords.length).fill(null), new Array(testWords.length).fill(false), new Array(referenceWords.length).fill(false))
  candidates.forEach((list, j) => {
    if (list.length !== 1) return
    const m = list[0]!
    let overlap = false
    for (let k = 0; k < m.length; k++) if (line2Coverage[j + k] !== 1) overlap = true
    for (let k = 0; k < m.matchLength; k++) if (line1Coverage[m.matchStart + k] !== 1) overlap = true
    if (!overlap) {
      start.matches[j] = m
      start.setUsed(m)
    }
  })

  // Search weights: 1.0 for the first (exact) module, 0.5 for the others, as METEOR's scorer sets them.
  const searchWeight = (module: number) => (modules[module] === 'exact' ? 1.0 : 0.5)
  const best = resolve(candidates, start, searchWeight, beamSize)

  const isFunction1 = testWords.map((w) => resources.functionWords.has(w.toLowerCase()))
  const isFunction2 = referenceWords.map((w) => resources.functionWords.has(w.toLowerCase()))
  const zeros = () => new Array<number>(modules.length).fill(0)
  const a: Alignment = {
    testWords,
    referenceWords,
    testFunctionWords: isFunction1.filter(Boolean).length,
    referenceFunctionWords: isFunction2.filter(Boolean).length,
    testContentMatches: zeros(),
    referenceContentMatches: zeros(),
    testFunctionMatches: zeros(),
    referenceFunctionMatches: zeros(),
    chunks: countChunks(best.matches),
  }
  for (const m of best.matches) {
    if (!m) continue
    for (let k = 0; k < m.matchLength; k++) {
      if (isFunction1[m.matchStart + k]) a.testFunctionMatches[m.module]!++
      else a.testContentMatches[m.module]!++
    }
    for (let k = 0; k < m.length; k++) {
      if (isFunction2[m.start + k]) a.referenceFunctionMatches[m.module]!++
      else a.referenceContentMatches[m.module]!++
    }
  }
  return a
}

function resolve(candidates: Match[][], start: PartialAlignment, weight: (module: number) => number, beamSize: number): PartialAlignment {
  let nextPaths: PartialAlignment[] = [start]
  const n = candidates.length
  for (let current = 0; current <= n; current++) {
    const paths = nextPaths.sort(comparePaths)
    nextPaths = []
    for (let rank = 0; rank < beamSize && rank < paths.length; rank++) {
      const path = paths[rank]!
      if (current === n) {
        if (path.lastMatchEnd !== -1) path.chunks++
        nextPaths.push(path)
        continue
      }
      if (path.line2Used[current]) {
        if (current < path.idx) nextPaths.push(path)
        else {
          const m = path.matches[path.idx]
          if (m) {
            extend(path, m, weight)
            path.distance += Math.abs(m.start - m.matchStart)
            nextPaths.push(path)
          }
        }
        continue
      }
      for (const m of candidates[current]!) {
        if (path.isUsed(m)) continue
        const next = path.copy()
        next.setUsed(m)
        next.matches[current] = m
        extend(next, m, weight)
        // METEOR adds the new path's distance to the path it branched from.
        path.distance += Math.abs(m.start - m.matchStart)
        nextPaths.push(next)
      }
      // Or skip this reference word.
      if (path.lastMatchEnd !== -1) {
        path.chunks++
        path.lastMatchEnd = -1
      }
      path.idx++
      nextPaths.push(path)
    }
    if (nextPaths.length === 0) nextPaths.push(paths[0]!)
  }
  return nextPaths.sort(comparePaths)[0]!
}

/** Takes match `m` on `path`: Java `int` arithmetic for the weighted counts, chunk bookkeeping. */
function extend(path: PartialAlignment, m: Match, weight: (module: number) => number): void {
  path.matchCount++
  path.matches1 = Math.trunc(path.matches1 + m.matchLength * weight(m.module))
  path.matches2 = Math.trunc(path.matches2 + m.length * weight(m.module))
  path.allMatches1 += m.matchLength
  path.allMatches2 += m.length
  if (path.lastMatchEnd !== -1 && m.matchStart !== path.lastMatchEnd) path.chunks++
  path.idx = m.start + m.length
  path.lastMatchEnd = m.matchStart + m.matchLength
}

function countChunks(matches: readonly (Match | null)[]): number {
  let chunks = 0
  let idx = 0
  let lastMatchEnd = -1
  while (idx < matches.length) {
    const m = matches[idx]
    if (!m) {
      if (lastMatchEnd !== -1) {
        chunks++
        lastMatchEnd = -1
      }
      idx++
    } else {
      if (lastMatchEnd !== -1 && m.matchStart !== lastMatchEnd) chunks++
      idx = m.start + m.length
      lastMatchEnd = m.matchStart + m.matchLength
    }
  }
  if (lastMatchEnd !== -1) chunks++
  return chunks
}
