/**
 * mteval-v14c's default (non-international) tokeniser, token by token as v14c does it.
 *
 * - The segment is trimmed and split on whitespace (Perl `\s` on decoded text).
 * - A token starting with `http://` or `https://` is kept verbatim: not split, not lower-cased.
 * - Every other token goes through the original v11 rules: strip `<skipped>`, unescape
 *   `&quot; &amp; &lt; &gt;`, lower-case **ASCII only** (`tr/[A-Z]/[a-z]/`) unless
 *   `caseSensitive`, space out ASCII punctuation except `' - . ,`, split `.`/`,` unless between
 *   digits, split `-` after a digit.
 *
 * @returns the tokens, space-joined as mteval holds them.
 */
export function mtevalTokenize(text: string, options: { caseSensitive?: boolean } = {}): string {
  const caseSensitive = options.caseSensitive ?? false
  const tokens = text.split(PERL_WHITESPACE).filter((t) => t !== '')
  const out: string[] = []
  for (const token of tokens) {
    if (/^https?:\/\//.test(token)) out.push(token)
    else {
      const t = tokenizeOriginal(token, caseSensitive)
      if (t !== '') out.push(t)
    }
  }
  return out.join(' ')
}

const PLAIN_WORD = /^[A-Za-z0-9']+$/

/** Perl's `\s` on character strings (5.18+): ASCII whitespace incl. VT, NEL, NBSP and Unicode spaces. */
const PERL_WHITESPACE = /[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/

function tokenizeOriginal(token: string, caseSensitive: boolean): string {
  // Fast path: letters, digits and apostrophes only, or one character: no rule below changes
  // anything but case.
  if (token.length === 1 || PLAIN_WORD.test(token)) return caseSensitive ? token : token.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32))
  let t = token
  t = t.replace(/<skipped>/g, '')
  t = t.replace(/-\n/g, '')
  t = t.replace(/\n/g, ' ')
  t = t.replace(/&quot;/g, '"')
  t = t.replace(/&amp;/g, '&')
  t = t.replace(/&lt;/g, '<')
  t = t.replace(/&gt;/g, '>')
  t = ` ${t} `
  if (!caseSensitive) t = t.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32))
  t = t.replace(/([{-~[-` -&(-+:-@/])/g, ' $1 ')
  t = t.replace(/([^0-9])([.,])/g, '$1 $2 ')
  t = t.replace(/([.,])([^0-9])/g, ' $1 $2')
  t = t.replace(/([0-9])(-)/g, '$1 $2 ')
  t = t.replace(/\s+/g, ' ')
  t = t.replace(/^\s+/, '')
  t = t.replace(/\s+$/, '')
  return t
}

/**
 * What DialoGPT's `_write_xml` does to a line before mteval sees it: every `&` and `<` becomes a
 * space. (METEOR and the Python metrics see the original text.)
 */
export function dialogptXmlText(line: string): string {
  return line.replace(/[&<]/g, ' ')
}
