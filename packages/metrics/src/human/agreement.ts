import { MetricsInputError } from '../errors'
import { choiceSide, unorderedPair, type LikertJudgment, type PairwiseJudgment } from './judgments'

/** Krippendorff's levels of measurement: which difference function δ² compares two values. */
export type AlphaLevel = 'nominal' | 'ordinal' | 'interval' | 'ratio'

/**
 * Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"): one
 * array of values per unit (each value one coder's; missing values simply left out). Units with
 * fewer than two values are not pairable and do not count. α = 1 − D_o / D_e from the coincidence
 * matrix, with δ² for the level:
 * - nominal: 0 when equal, else 1;
 * - ordinal: (Σ_{g=c..k} n_g − (n_c + n_k)/2)², the n the pairable values' frequencies;
 * - interval: (c − k)²;
 * - ratio: ((c − k)/(c + k))².
 */
export function krippendorffAlpha(units: readonly (readonly number[])[], level: AlphaLevel): number {
  if (!['nominal', 'ordinal', 'interval', 'ratio'].includes(level))
    throw new MetricsInputError(`must be nominal, ordinal, interval or ratio, got ${String(level)}`, 'level')
  const pairable = units.filter((u) => u.length >= 2)
  for (const [i, u] of units.entries())
    for (const v of u) if (!Number.isFinite(v)) throw new MetricsInputError(`holds ${String(v)}, not a finite number`, `units[${i}]`)
  const values = [...new Set(pairable.flat())].sort((a, b) => a - b)
  const index = new Map(values.map((v, i) => [v, i]))
  const k = values.length
  // Coincidence matrix: each ordered pair of values in a unit adds 1 / (m_u − 1).
  const o = new Float64Array(k * k)
  for (const u of pairable) {
    const m = u.length
    const here = new Float64Array(k)
    for (const v of u) here[index.get(v)!]!++
    for (let c = 0; c < k; c++) {
      if (here[c] === 0) continue
      for (let e = 0; e < k; e++) {
        if (here[e] === 0) continue
        const pairs = c === e ? here[c]! * (here[c]! - 1) : here[c]! * here[e]!
        o[c * k + e]! += pairs / (m - 1)
      }
    }
  }
  const nc = new Float64Array(k)
  for (let c = 0; c < k; c++) for (let e = 0; e < k; e++) nc[c]! += o[c * k + e]!
  const n = nc.reduce((a, b) => a + b, 0)
  if (n < 2) throw new MetricsInputError('no unit has two values: alpha is undefined', 'units')
  const delta = (c: number, e: number): number => {
    if (c === e) return 0
    const a = values[c]!
    const b = values[e]!
    switch (level) {
      case 'nominal':
        return 1
      case 'interval':
        return (a - b) ** 2
      case 'ratio':
        return a + b === 0 ? 0 : ((a - b) / (a + b)) ** 2
      case 'ordinal': {
        const [lo, hi] = c < e ? [c, e] : [e, c]
        let s = 0
        for (let g = lo; g <= hi; g++) s += nc[g]!
        return (s - (nc[c]! + nc[e]!) / 2) ** 2
      }
    }
  }
  let observed = 0
  let expected = 0
  for (let c = 0; c < k; c++)
    for (let e = 0; e < k; e++) {
      if (c === e) continue
      const d = delta(c, e)
      observed += o[c * k + e]! * d
      expected += nc[c]! * nc[e]! * d
    }
  if (expected === 0) throw new MetricsInputError('every pairable value is the same: alpha is undefined (no expected disagreement)', 'units')
  return 1 - ((n - 1) * observed) / expected
}

/**
 * Fleiss' kappa (Fleiss 1971): one row per subject, one column per category, each cell the number
 * of raters who put the subject in that category. Every subject must have the same number of raters
 * (at least two); the raters need not be the same people.
 */
export function fleissKappa(table: readonly (readonly number[])[]): number {
  if (table.length === 0) throw new MetricsInputError('there are no subjects', 'table')
  const categories = table[0]!.length
  const raters = table[0]!.reduce((a, b) => a + b, 0)
  if (raters < 2) throw new MetricsInputError(`needs at least two raters per subject, row 0 has ${raters}`, 'table[0]')
  const pj = new Float64Array(categories)
  let pBar = 0
  table.forEach((row, i) => {
    if (row.length !== categories) throw new MetricsInputError(`has ${row.length} categories, row 0 has ${categories}`, `table[${i}]`)
    let sum = 0
    let sq = 0
    row.forEach((x, j) => {
      if (!Number.isInteger(x) || x < 0) throw new MetricsInputError(`holds ${x}, not a count`, `table[${i}][${j}]`)
      sum += x
      sq += x * x
      pj[j]! += x
    })
    if (sum !== raters)
      throw new MetricsInputError(`has ${sum} ratings, row 0 has ${raters}: Fleiss' kappa needs the same number of raters for every subject`, `table[${i}]`)
    pBar += (sq - raters) / (raters * (raters - 1))
  })
  pBar /= table.length
  let pe = 0
  for (const x of pj) pe += (x / (table.length * raters)) ** 2
  if (pe === 1) throw new MetricsInputError('every rating is in one category: kappa is undefined', 'table')
  return (pBar - pe) / (1 - pe)
}

/**
 * Units for {@link krippendorffAlpha} from Likert judgments of one criterion: one unit per
 * (item, system), holding its judges' ratings.
 */
export function likertUnits(judgments: readonly LikertJudgment[], criterion: string): number[][] {
  const units = new Map<string, number[]>()
  for (const j of judgments) {
    if (j.criterion !== criterion) continue
    const key = JSON.stringify([j.item, j.system])
    let u = units.get(key)
    if (!u) units.set(key, (u = []))
    u.push(j.rating)
  }
  return [...units.values()]
}

/**
 * The table for {@link fleissKappa} from pairwise judgments of one criterion: one subject per
 * (item, pair of systems), with the counts of [first system, neutral, second system] (judgments
 * shown the other way round are flipped). Subjects with a different number of judges than the most
 * common number are returned in `skipped`, as Fleiss' kappa cannot use them.
 */
export function pairwiseChoiceTable(judgments: readonly PairwiseJudgment[], criterion: string): { table: number[][]; skipped: number } {
  const subjects = new Map<string, { first: string; counts: number[] }>()
  for (const j of judgments) {
    if (j.criterion !== criterion) continue
    const key = JSON.stringify([j.item, ...unorderedPair(j.systemA, j.systemB)])
    let s = subjects.get(key)
    if (!s) subjects.set(key, (s = { first: j.systemA, counts: [0, 0, 0] }))
    s.counts[choiceSide(j, s.first)]!++
  }
  const rows = [...subjects.values()].map((s) => s.counts)
  const sizes = new Map<number, number>()
  for (const r of rows) {
    const m = r[0]! + r[1]! + r[2]!
    sizes.set(m, (sizes.get(m) ?? 0) + 1)
  }
  const common = [...sizes.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0] ?? 0
  const table = rows.filter((r) => r[0]! + r[1]! + r[2]! === common)
  return { table, skipped: rows.length - table.length }
}
