import { countNgrams } from '../text/ngrams'
import { pythonSplit, stripNewlines } from '../text/python-split'

/**
 * Dist-1..maxOrder of a corpus, as DialoGPT's `calc_diversity` computes it: distinct n-grams
 * over the whole corpus divided by the number of n-grams (not averaged per line).
 *
 * A corpus with no n-grams of some order gets `NaN` there: the original divides by zero
 * (`ZeroDivisionError`); we return `NaN` rather than throw, so one degenerate system does not
 * abort an evaluation.
 */
export function distinct(hypotheses: readonly string[], maxOrder = 2): number[] {
  const types = Array.from({ length: maxOrder }, () => new Map<string, number>())
  const tokens = new Array<number>(maxOrder).fill(0)
  for (const line of hypotheses) {
    const words = pythonSplit(stripNewlines(line))
    for (let n = 0; n < maxOrder; n++) {
      countNgrams(words, n + 1, types[n])
      tokens[n]! += Math.max(words.length - n, 0)
    }
  }
  return types.map((t, n) => (tokens[n] === 0 ? Number.NaN : t.size / tokens[n]!))
}
