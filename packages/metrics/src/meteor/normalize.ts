import { javaTokenize, javaTrim } from './java-string'

/** A nonbreaking prefix: always nonbreaking, or only when a number follows. */
export type NonbreakingPrefixes = ReadonlyMap<string, 'any' | 'numeric'>

// METEOR's "alphabetic" characters: ASCII, Latin-1/Latin Extended-A letters and Cyrillic blocks.
const ALPHA = 'A-Za-z\\u0160\\u017D\\u0161\\u017E\\u0178\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u017E\\u0400-\\u04FF\\u0500-\\u0527\\uA640-\\uA66E\\uA67E-\\uA697\\u1D00-\\u1D7F'
const ALNUM = `0-9${ALPHA}`
// Java's \s without UNICODE_CHARACTER_CLASS: ASCII whitespace only.
const JAVA_SPACE = ' \\t\\n\\x0B\\f\\r'

const SEP_OTHER = new RegExp(`([^${ALNUM}${JAVA_SPACE}.'\`,\\-\\u2018\\u2019])`, 'gu')
const MULTI_DOT = /\.([.]+)/g
const MULTI_DOT2 = /DOTMULTI\.([^.])/gu
const COMMA1 = /([^0-9]),([^0-9])/gu
const COMMA2 = /([0-9]),([^0-9])/gu
const COMMA3 = /([^0-9]),([0-9])/gu
const QUOTE1 = /([`\u2018\u2019])/g
const QUOTE2 = /([\u201C\u201D]|'')/g
const RM_DASH = new RegExp(`([${ALNUM}.])[-]([${ALNUM}])`, 'gu')
const CONT_EN1 = new RegExp(`([^${ALPHA}])'([^${ALPHA}])`, 'gu')
const CONT_EN2 = new RegExp(`([^${ALPHA}0-9])'([${ALPHA}])`, 'gu')
const CONT_EN3 = new RegExp(`([${ALPHA}])'([^${ALPHA}])`, 'gu')
const CONT_EN4 = new RegExp(`([${ALPHA}])'([${ALPHA}])`, 'gu')
const CONT_EN5 = /([0-9])'(s)/g
const HAS_ALPHA = new RegExp(`[${ALPHA}]`, 'u')
// Unicode space separators (category Zs), which METEOR folds to one space.
const WHITE = /[\u0020\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/g

const replaceAll = (s: string, from: string, to: string) => s.split(from).join(to)

/**
 * METEOR 1.5's `-norm` normaliser for English (`Normalizer.normalizeLine`, keeping
 * punctuation), without the lower-casing that METEOR applies afterwards. It separates
 * punctuation, handles runs of dots, commas outside numbers, quotes, dashes and English
 * contractions, and splits sentence-final dots unless the word is a nonbreaking prefix.
 *
 * @param prefixes METEOR's `english.prefixes` (see {@link parseNonbreakingPrefixes})
 */
export function meteorNormalize(line: string, prefixes: NonbreakingPrefixes): string {
  let s = ` ${line} `
  s = s.replace(SEP_OTHER, ' $1 ')
  s = s.replace(MULTI_DOT, ' DOTMULTI$1')
  while (s.includes('DOTMULTI.')) {
    s = s.replace(MULTI_DOT2, 'DOTDOTMULTI $1')
    s = replaceAll(s, 'DOTMULTI.', 'DOTDOTMULTI')
  }
  s = s.replace(COMMA1, '$1 , $2').replace(COMMA2, '$1 , $2').replace(COMMA3, '$1 , $2')
  s = s.replace(QUOTE1, "'").replace(QUOTE2, ' " ')
  s = replaceAll(s, '\u2013', '-')
  s = replaceAll(s, '--', '-')
  s = s.replace(RM_DASH, '$1 $2')
  s = s.replace(CONT_EN1, "$1 ' $2").replace(CONT_EN2, "$1 ' $2").replace(CONT_EN3, "$1 ' $2")
  s = s.replace(CONT_EN4, "$1 '$2").replace(CONT_EN5, "$1 '$2")

  const words = javaTokenize(s)
  let out = ''
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    const next = words[i + 1]
    if (word.length > 1 && word.endsWith('.')) {
      const pre = word.slice(0, -1)
      const type = prefixes.get(pre)
      if (pre.includes('.') && HAS_ALPHA.test(pre)) out += replaceAll(word, '.', '')
      else if (type === 'any' || (next !== undefined && /^[a-z]/.test(next))) out += word
      else if (type === 'numeric' && next !== undefined && /^[0-9]+/.test(next)) out += word
      else out += `${pre} .`
    } else out += word
    out += ' '
  }
  s = out
  while (s.includes('DOTDOTMULTI')) s = replaceAll(s, 'DOTDOTMULTI', 'DOTMULTI.')
  s = replaceAll(s, 'DOTMULTI', '.')
  return javaTrim(s.replace(WHITE, ' '))
}

/** Parses METEOR's nonbreaking-prefix file (`english.prefixes`): one prefix per line, `#` comments, `#NUMERIC_ONLY#` marks. */
export function parseNonbreakingPrefixes(text: string): Map<string, 'any' | 'numeric'> {
  const map = new Map<string, 'any' | 'numeric'>()
  for (const line of text.split(/\r\n|\r|\n/)) {
    const tokens = javaTokenize(line)
    if (tokens.length === 0 || tokens[0]!.startsWith('#')) continue
    map.set(tokens[0]!, tokens[1] === '#NUMERIC_ONLY#' ? 'numeric' : 'any')
  }
  return map
}
