import { countNgrams } from '../text/ngrams'
import { pythonSplit, stripNewlines } from '../text/python-split'

/**
 * Entropy-1..maxOrder of a corpus of hypotheses, as DialoGPT's `calc_entropy` computes it: n-gram
 * counts over all lines (n-grams never cross lines, tokens are Python whitespace-split, no
 * lower-casing), then `Σ -(c/T)·(ln c - ln T)` in natural log, added in first-seen order.
 * An order with no n-grams scores 0.
 *
 * @example
 * ```ts
 * entropy(['i do n't know', 'i know']) // [E1, E2, E3, E4]
 * ```
 */
export function entropy(hypotheses: readonly string[], maxOrder = 4): number[] {
  const counters = Array.from({ length: maxOrder }, () => new Map<string, number>())
  for (const line of hypotheses) {
    const words = pythonSplit(stripNewlines(line))
    for (let n = 0; n < maxOrder; n++) countNgrams(words, n + 1, counters[n])
  }
  return counters.map((counter) => {
    let total = 0
    for (const v of counter.values()) total += v
    let score = 0
    for (const v of counter.values()) score += (-v / total) * (Math.log(v) - Math.log(total))
    return score
  })
}
