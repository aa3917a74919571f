/**
 * A JSON object scanner that materialises only the fields a comment needs. `JSON.parse` of a full
 * Pushshift row builds ~20 properties and strings, most of them never read: per line this scanner
 * is about as fast, but the pipeline that reads a million rows spends ~1 s less collecting garbage.
 * It walks the line once, validating the JSON grammar of everything it skips, and gives the
 * wanted fields' values (into an array by index: no object whose shape depends on the row's key
 * order) — or `false` whenever anything is unusual (an escape in a key, nesting
 * deeper than 32, a grammar error, trailing text), so the caller falls back to `JSON.parse` and
 * gets exactly its result or its error message.
 */

const QUOTE = 0x22
const COMMA = 0x2c
const COLON = 0x3a
const LBRACE = 0x7b
const RBRACE = 0x7d
const LBRACKET = 0x5b
const RBRACKET = 0x5d
const MAX_DEPTH = 32

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
// JSON's grammar for strings and numbers, as sticky regular expressions (V8 compiles them to
// native code: much faster than a character loop in JavaScript).
/** A string without escapes. */
// eslint-disable-next-line no-control-regex -- JSON strings may not hold raw U+0000..U+001F
const SIMPLE_STRING = /"[^"\\\u0000-\u001f]*"/y
/** Any string: runs of plain characters between valid escapes. */
// eslint-disable-next-line no-control-regex -- as above
const ESCAPED_STRING = /"[^"\\\u0000-\u001f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\u0000-\u001f]*)*"/y
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y

class Scanner {
  i = 0
  constructor(public s: string) {}

  space(): void {
    while (this.i < this.s.length && isSpace(this.s.charCodeAt(this.i))) this.i++
  }

  /** At an opening quote: moves past the closing one. Returns whether the string had escapes, or null if invalid. */
  string(): boolean | null {
    SIMPLE_STRING.lastIndex = this.i
    if (SIMPLE_STRING.test(this.s)) {
      this.i = SIMPLE_STRING.lastIndex
      return false
    }
    ESCAPED_STRING.lastIndex = this.i
    if (!ESCAPED_STRING.test(this.s)) return null
    this.i = ESCAPED_STRING.lastIndex
    return true
  }

  number(): boolean {
    NUMBER.lastIndex = this.i
    if (!NUMBER.test(this.s)) return false
    this.i = NUMBER.lastIndex
    return true
  }

  literal(word: string): boolean {
    if (!this.s.startsWith(word, this.i)) return false
    this.i += word.length
    return true
  }

  /** Skips one value (validating it). */
  value(depth: number): boolean {
    const c = this.s.charCodeAt(this.i)
    if (c === QUOTE) return this.string() !== null
    if (c === LBRACE || c === LBRACKET) return depth < MAX_DEPTH && this.container(c === LBRACE, depth + 1)
    if (c === 0x74) return this.literal('true')
    if (c === 0x66) return this.literal('false')
    if (c === 0x6e) return this.literal('null')
    return this.number()
  }

  container(object: boolean, depth: number): boolean {
    const close = object ? RBRACE : RBRACKET
    this.i++
    this.space()
    if (this.s.charCodeAt(this.i) === close) {
      this.i++
      return true
    }
    for (;;) {
      if (object) {
        if (this.s.charCodeAt(this.i) !== QUOTE || this.string() === null) return false
        this.space()
        if (this.s.charCodeAt(this.i++) !== COLON) return false
        this.space()
      }
      if (!this.value(depth)) return false
      this.space()
      const c = this.s.charCodeAt(this.i++)
      if (c === close) return true
      if (c !== COMMA) return false
      this.space()
    }
  }
}

/**
 * The values of `fields` in the JSON object on `line`, written to `values` by index (`undefined` for
 * an absent field; where a key repeats, the last one, as `JSON.parse` does). Returns false when the
 * line is not a plain JSON object this scanner is sure of (then `values` means nothing).
 */
export function scanValues(line: string, fields: readonly string[], values: unknown[]): boolean {
  for (let k = 0; k < fields.length; k++) values[k] = undefined
  const { names, skip } = compile(fields)
  const sc = scanner
  sc.s = line
  sc.i = 0
  const s = line
  sc.space()
  if (s.charCodeAt(sc.i) !== LBRACE) return false
  sc.i++
  sc.space()
  if (s.charCodeAt(sc.i) === RBRACE) sc.i++
  else
    for (;;) {
      // Members that are not wanted, each followed by a comma, are skipped (and validated) by one
      // regular expression: fewer calls than a key and a value at a time.
      skip.lastIndex = sc.i
      if (skip.test(s)) sc.i = skip.lastIndex
      if (s.charCodeAt(sc.i) !== QUOTE) return false
      const keyStart = sc.i + 1
      const keyEscaped = sc.string()
      if (keyEscaped === null || keyEscaped) return false
      // Which wanted field this key is, compared in place (no key string is built).
      let key = -1
      const candidates = names[sc.i - 1 - keyStart]
      if (candidates !== undefined)
        for (let k = 0; k < candidates.length; k += 2)
          if (s.startsWith(candidates[k] as string, keyStart)) {
            key = candidates[k + 1] as number
            break
          }
      sc.space()
      if (s.charCodeAt(sc.i++) !== COLON) return false
      sc.space()
      const valueStart = sc.i
      const first = s.charCodeAt(valueStart)
      if (key < 0) {
        if (!sc.value(1)) return false
      } else if (first === QUOTE) {
        const escaped = sc.string()
        if (escaped === null) return false
        values[key] = escaped ? (JSON.parse(s.slice(valueStart, sc.i)) as string) : s.slice(valueStart + 1, sc.i - 1)
      } else {
        if (!sc.value(1)) return false
        // A JSON number means what Number() reads from it; literals and containers go through JSON.parse.
        values[key] = first === 0x2d || (first >= 0x30 && first <= 0x39) ? Number(s.slice(valueStart, sc.i)) : (JSON.parse(s.slice(valueStart, sc.i)) as unknown)
      }
      sc.space()
      const c = s.charCodeAt(sc.i++)
      if (c === RBRACE) break
      if (c !== COMMA) return false
      sc.space()
    }
  sc.space()
  return sc.i === s.length
}

const scanner = new Scanner('')
const compiled = new WeakMap<readonly string[], { names: (string | number)[][]; skip: RegExp }>()
const WS = '[ \\t\\n\\r]*'

/**
 * Made once per field list: the wanted names indexed by length, each followed by its index in
 * `fields`; and a sticky expression for a run of members whose key is none of them and whose
 * value is a string, number or literal, each followed by a comma.
 */
function compile(fields: readonly string[]): { names: (string | number)[][]; skip: RegExp } {
  let table = compiled.get(fields)
  if (!table) {
    const names: (string | number)[][] = []
    fields.forEach((name, k) => (names[name.length] ??= []).push(name, k))
    const wanted = fields.map((f) => JSON.stringify(f).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')
    const member = `(?!(?:${wanted})${WS}:)${SIMPLE_STRING.source}${WS}:${WS}(?:${ESCAPED_STRING.source}|${NUMBER.source}|true|false|null)${WS},${WS}`
    compiled.set(fields, (table = { names, skip: new RegExp(`(?:${member})*`, 'y') }))
  }
  return table
}
