import { pythonSplit, stripNewlines } from '../text/python-split'

/**
 * Mean number of whitespace tokens per hypothesis, as DialoGPT's `calc_len` (`np.mean`) computes
 * it: empty lines count as 0. An empty corpus gives `NaN`, as `np.mean([])` does.
 */
export function averageLength(hypotheses: readonly string[]): number {
  if (hypotheses.length === 0) return Number.NaN
  let sum = 0
  for (const line of hypotheses) sum += pythonSplit(stripNewlines(line)).length
  return sum / hypotheses.length
}
