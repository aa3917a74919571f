import { encodeGpt2 } from './gpt2-bpe'
import { makeFeatures, type Feature } from './feature'

/** A turn of a session with its loss weight (0 = context only). */
export interface WeightedTurn {
  weight: number
  text: string
}

// What Python's float() accepts: digits with single underscores between them, optional fraction and
// exponent, or inf / infinity / nan, any case, with a sign.
const DIGITS = String.raw`\d(?:_?\d)*`
const PY_FLOAT = new RegExp(String.raw`^[+-]?(?:(?:(?:${DIGITS})?\.${DIGITS}|${DIGITS}\.?)(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)$`, 'i')

/**
 * DialoGPT's `_norm_text`: a turn may start with its weight. If the first whitespace token parses
 * as a Python float it is the weight and is removed; otherwise the weight is 1.0. (So an unweighted
 * turn starting with a number, "3 dogs", loses the number and gets weight 3 — as the original does.)
 */
export function parseTurn(text: string): WeightedTurn {
  const tokens = text.trim().split(/\s+/).filter(Boolean)
  if (tokens.length > 0 && PY_FLOAT.test(tokens[0]!)) return { weight: Number(tokens[0]!.replace(/_/g, '').replace(/^([+-]?)inf(inity)?$/i, '$1Infinity')), text: tokens.slice(1).join(' ') }
  return { weight: 1, text: tokens.join(' ') }
}

/**
 * One line of the original `train.tsv`: `SRC \t TGT`, the source turns joined by `" EOS "`, each
 * optionally prefixed by its weight (`0.0 first turn EOS 1.0 second turn \t 1.0 response`).
 * Throws a `RangeError` when the line has no tab.
 */
export function parseTsvLine(line: string): WeightedTurn[] {
  const tab = line.indexOf('\t')
  if (tab < 0) throw new RangeError('a DialoGPT TSV line needs a tab between source and target')
  const source = line.slice(0, tab).split(' EOS ').map(parseTurn)
  return [...source, parseTurn(line.slice(tab + 1))]
}

/** Writes turns as a `train.tsv` line (the last turn is the target), every turn with its weight. */
export function formatTsvLine(turns: readonly WeightedTurn[]): string {
  if (turns.length < 2) throw new RangeError('a TSV line needs at least a source and a target turn')
  const clean = (t: WeightedTurn) => {
    if (/[\t\n\r]/.test(t.text) || t.text.includes(' EOS ')) throw new RangeError(`turn text cannot contain a tab, a newline or " EOS ": ${JSON.stringify(t.text)}`)
    return `${t.weight.toFixed(1)} ${t.text}`
  }
  return `${turns.slice(0, -1).map(clean).join(' EOS ')}\t${clean(turns[turns.length - 1]!)}`
}

/** Options of {@link tsvLineToFeatures}, as `prepro.py` has them. */
export interface EncodeOptions {
  /** Window length in tokens (`--max_seq_len`, default 128). */
  maxLength?: number
  /** Reverse the turns and their weights: data for the backward (MMI) model (`--reverse`). */
  reverse?: boolean
  /** Keep only the first two turns (`--two_turn`). */
  twoTurn?: boolean
  /** Text → token ids. Default: GPT-2's BPE (r50k_base), text never read as special tokens. */
  encode?: (text: string) => number[]
}

/**
 * DialoGPT's `prepro.py` for one line: parse the turns, drop a zero-weight target, tokenize, reverse
 * or keep two turns if asked, and cut into windowed features. Lines with fewer than two turns give none.
 */
export function tsvLineToFeatures(line: string, options: EncodeOptions = {}): Feature[] {
  return turnsToFeatures(parseTsvLine(line), options)
}

/**
 * Weighted turns → windowed features, as `prepro.py` treats a parsed line: a zero-weight target is
 * dropped, `twoTurn` keeps two turns, each turn is tokenized on its own, `reverse` reverses turns
 * and weights (backward-model data). Fewer than two turns give none.
 */
export function turnsToFeatures(weighted: readonly WeightedTurn[], options: EncodeOptions = {}): Feature[] {
  let turns = [...weighted]
  if (turns.length > 0 && turns[turns.length - 1]!.weight === 0) turns = turns.slice(0, -1)
  if (options.twoTurn) turns = turns.slice(0, 2)
  if (turns.length < 2) return []
  const toIds = options.encode ?? encodeGpt2
  let ids = turns.map((t) => toIds(t.text))
  let weights = turns.map((t) => t.weight)
  if (options.reverse) {
    ids = ids.reverse()
    weights = weights.reverse()
  }
  return makeFeatures(ids, weights, options.maxLength ?? 128)
}
