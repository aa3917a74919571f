import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Reference values from SciPy, statsmodels and NLTK (see make-human-oracles.py beside this file). */
export interface HumanOracles {
  krippendorff2011: { reliability_data: (number | null)[][]; published: Record<string, number> } & Record<'nominal' | 'ordinal' | 'interval' | 'ratio', number>
  fleiss: Record<'fleiss1971' | 'wikipedia', { table: number[][]; published: number; kappa: number }>
  correlations: { cases: { name: string; x: number[]; y: number[]; pearson: number; spearman: number; kendall: number }[] }
  sign_test: { cases: { a: number; b: number; p: number }[] }
  dstc7: { means: Record<string, Record<string, number>>; alpha: Record<string, { interval: number }> }
}

export function humanOracles(): HumanOracles {
  return JSON.parse(readFileSync(join(__dirname, 'human-oracles.json'), 'utf8')) as HumanOracles
}

/** |a − b| ≤ tol · max(1, |b|). */
export function near(a: number, b: number, tol = 1e-9): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b))
}
