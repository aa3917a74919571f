/**
 * The Porter2 ("Snowball English") stemmer **as METEOR 1.5 bundles it**: the original Porter2
 * rules, before later Snowball releases added the `past`/`univers`/`later`/`emerg`/`organ`/`inter`
 * region prefixes, the `-ogist` rule and other refinements. So `added` → `ad`,
 * `organization` → `organ`, `university` → `univers`, `paste` → `past`, `biologist` → `biologist`.
 * Written from the algorithm's published description; checked against METEOR's stem matches.
 */
export function stemEnglish(input: string): string {
  const special = EXCEPTION1.get(input)
  if (special !== undefined) return special
  if (input.length < 3) return input

  let w = input.startsWith("'") ? input.slice(1) : input
  // Prelude: y at the start or after a vowel becomes Y (a consonant).
  const chars = w.split('')
  if (chars[0] === 'y') chars[0] = 'Y'
  for (let i = 1; i < chars.length; i++) if (chars[i] === 'y' && isVowel(chars[i - 1]!)) chars[i] = 'Y'
  w = chars.join('')

  const p1 = regionStart(w, 0, true)
  const p2 = regionStart(w, p1, false)
  const r1 = (suffixLength: number) => w.length - suffixLength >= p1
  const r2 = (suffixLength: number) => w.length - suffixLength >= p2

  w = step1a(step0(w))
  if (EXCEPTION2.has(w)) return w.replace(/Y/g, 'y')

  // Step 1b
  {
    const s = longestSuffix(w, ['eedly', 'ingly', 'edly', 'eed', 'ing', 'ed'])
    if (s === 'eed' || s === 'eedly') {
      if (r1(s.length)) w = w.slice(0, -s.length) + 'ee'
    } else if (s !== undefined) {
      const stem = w.slice(0, -s.length)
      if (containsVowel(stem)) {
        w = stem
        if (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz')) w += 'e'
        else if (DOUBLES.has(w.slice(-2))) w = w.slice(0, -1)
        else if (p1 === w.length && endsInShortSyllable(w)) w += 'e'
      }
    }
  }
  // Step 1c
  if (w.length > 2 && (w.endsWith('y') || w.endsWith('Y')) && !isVowel(w[w.length - 2]!)) w = w.slice(0, -1) + 'i'
  // Step 2
  {
    const s = longestSuffix(w, STEP2_SUFFIXES)
    if (s !== undefined && r1(s.length)) {
      const before = w[w.length - s.length - 1]
      if (s === 'ogi') {
        if (before === 'l') w = w.slice(0, -3) + 'og'
      } else if (s === 'li') {
        if (before !== undefined && LI_ENDINGS.has(before)) w = w.slice(0, -2)
      } else w = w.slice(0, -s.length) + STEP2[s]!
    }
  }
  // Step 3
  {
    const s = longestSuffix(w, STEP3_SUFFIXES)
    if (s !== undefined && r1(s.length)) {
      if (s === 'ative') {
        if (r2(5)) w = w.slice(0, -5)
      } else w = w.slice(0, -s.length) + STEP3[s]!
    }
  }
  // Step 4
  {
    const s = longestSuffix(w, STEP4_SUFFIXES)
    if (s !== undefined && r2(s.length)) {
      if (s === 'ion') {
        const before = w[w.length - 4]
        if (before === 's' || before === 't') w = w.slice(0, -3)
      } else w = w.slice(0, -s.length)
    }
  }
  // Step 5
  if (w.endsWith('e')) {
    const stem = w.slice(0, -1)
    if (r2(1) || (r1(1) && !endsInShortSyllable(stem))) w = stem
  } else if (w.endsWith('l') && r2(1) && w.endsWith('ll')) w = w.slice(0, -1)

  return w.replace(/Y/g, 'y')
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y'])
const isVowel = (c: string) => VOWELS.has(c)
const containsVowel = (s: string) => [...s].some(isVowel)
const DOUBLES = new Set(['bb', 'dd', 'ff', 'gg', 'mm', 'nn', 'pp', 'rr', 'tt'])
const LI_ENDINGS = new Set(['c', 'd', 'e', 'g', 'h', 'k', 'm', 'n', 'r', 't'])

/** R1 (from 0) or R2 (from R1): after the first non-vowel that follows a vowel. */
function regionStart(w: string, from: number, isR1: boolean): number {
  if (isR1) for (const prefix of ['gener', 'commun', 'arsen']) if (w.startsWith(prefix)) return prefix.length
  let i = from
  while (i < w.length && !isVowel(w[i]!)) i++
  while (i < w.length && isVowel(w[i]!)) i++
  return Math.min(i + 1, w.length)
}

/** Ends in a short syllable: non-vowel, vowel, non-vowel other than w/x/Y — or the word is vowel + non-vowel. */
function endsInShortSyllable(w: string): boolean {
  const n = w.length
  if (n >= 3) {
    const [a, b, c] = [w[n - 3]!, w[n - 2]!, w[n - 1]!]
    if (!isVowel(a) && isVowel(b) && !isVowel(c) && c !== 'w' && c !== 'x' && c !== 'Y') return true
  }
  return n === 2 && isVowel(w[0]!) && !isVowel(w[1]!)
}

function longestSuffix(w: string, suffixes: readonly string[]): string | undefined {
  let best: string | undefined
  for (const s of suffixes) if (w.endsWith(s) && (best === undefined || s.length > best.length)) best = s
  return best
}

function step0(w: string): string {
  const s = longestSuffix(w, ["'s'", "'s", "'"])
  return s === undefined ? w : w.slice(0, -s.length)
}

function step1a(w: string): string {
  const s = longestSuffix(w, ['sses', 'ied', 'ies', 'us', 'ss', 's'])
  if (s === 'sses') return w.slice(0, -2)
  if (s === 'ied' || s === 'ies') return w.length - 3 >= 2 ? w.slice(0, -3) + 'i' : w.slice(0, -3) + 'ie'
  if (s === 's') {
    // Delete if a vowel occurs before the letter that precedes the s.
    const stem = w.slice(0, -1)
    if (containsVowel(stem.slice(0, -1))) return stem
  }
  return w
}

const STEP2: Record<string, string> = {
  tional: 'tion', enci: 'ence', anci: 'ance', abli: 'able', entli: 'ent', izer: 'ize', ization: 'ize',
  ational: 'ate', ation: 'ate', ator: 'ate', alism: 'al', aliti: 'al', alli: 'al', fulness: 'ful',
  ousli: 'ous', ousness: 'ous', iveness: 'ive', iviti: 'ive', biliti: 'ble', bli: 'ble', fulli: 'ful', lessli: 'less',
}
const STEP2_SUFFIXES = [...Object.keys(STEP2), 'ogi', 'li']
const STEP3: Record<string, string> = { tional: 'tion', ational: 'ate', alize: 'al', icate: 'ic', iciti: 'ic', ical: 'ic', ful: '', ness: '' }
const STEP3_SUFFIXES = [...Object.keys(STEP3), 'ative']
const STEP4_SUFFIXES = ['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize', 'ion']

const EXCEPTION1 = new Map([
  ['skis', 'ski'], ['skies', 'sky'], ['dying', 'die'], ['lying', 'lie'], ['tying', 'tie'], ['idly', 'idl'],
  ['gently', 'gentl'], ['ugly', 'ugli'], ['early', 'earli'], ['only', 'onli'], ['singly', 'singl'],
  ['sky', 'sky'], ['news', 'news'], ['howe', 'howe'], ['atlas', 'atlas'], ['cosmos', 'cosmos'], ['bias', 'bias'], ['andes', 'andes'],
])
const EXCEPTION2 = new Set(['inning', 'outing', 'canning', 'herring', 'earring', 'proceed', 'exceed', 'succeed'])
