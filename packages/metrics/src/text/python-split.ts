/**
 * Characters Python's `str.split()` (no argument) treats as whitespace: `str.isspace()`.
 * Differs from JavaScript's `\s`: it includes U+001C–U+001F and U+0085, and excludes U+FEFF.
 */
// eslint-disable-next-line no-control-regex -- Python counts U+001C..U+001F as whitespace
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/

/** Python's `text.split()`: split on runs of Unicode whitespace, dropping empty pieces. */
export function pythonSplit(text: string): string[] {
  const parts = text.split(PY_WHITESPACE)
  if (parts.length > 0 && parts[0] === '') parts.shift()
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  return parts
}

/** Python's `text.strip('\n')`: removes leading and trailing newline characters only. */
export function stripNewlines(text: string): string {
  return text.replace(/^\n+|\n+$/g, '')
}
