// Test-only: enumerates the cases of ../shared/metrics-golden/golden.json (not part of the package API).
/* eslint-disable @typescript-eslint/no-explicit-any -- golden.json is untyped test data */
import { existsSync, readFileSync } from 'node:fs'
import { sharedPath } from '../../../../test/shared'
import { splitLines } from '../text/lines'

export interface GoldenCase {
  /** e.g. `dstc7_clean_ref5/Human` or `edge/urls`. */
  name: string
  hypotheses: string[]
  references: string[][]
  golden: any
}

export const goldenRoot = sharedPath('metrics-golden')

export function readGoldenLines(relative: string): string[] {
  return splitLines(readFileSync(`${goldenRoot}/${relative}`, 'utf8'))
}

export function goldenCases(): GoldenCase[] {
  const file = `${goldenRoot}/golden.json`
  if (!existsSync(file)) return []
  // golden.json spells NaN as a bare token, which JSON.parse rejects.
  const json = JSON.parse(readFileSync(file, 'utf8').replace(/\bNaN\b/g, 'null'))
  const cases: GoldenCase[] = []
  const add = (name: string, refs: string[], system: { hyp: string }) =>
    cases.push({ name, hypotheses: readGoldenLines(system.hyp), references: refs.map(readGoldenLines), golden: system })
  for (const [corpus, entry] of Object.entries<any>(json.corpora)) {
    if (corpus === 'edge_cases') {
      for (const [edge, e] of Object.entries<any>(entry)) for (const [, sys] of Object.entries<any>(e.systems)) add(`edge/${edge}`, e.refs, sys)
    } else for (const [system, sys] of Object.entries<any>(entry.systems)) add(`${corpus}/${system}`, entry.refs, sys)
  }
  return cases
}

/** |ours - golden| <= 1e-9 · max(1, |golden|), the tolerance the golden README recommends. */
export function closeRelative(ours: number, golden: number, tolerance = 1e-9): boolean {
  return Math.abs(ours - golden) <= tolerance * Math.max(1, Math.abs(golden))
}
