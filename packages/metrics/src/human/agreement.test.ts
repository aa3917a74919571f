import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { MetricsInputError } from '../errors'
import { humanOracles, near } from '../testing/human-oracles'
import { fleissKappa, krippendorffAlpha, likertUnits, pairwiseChoiceTable } from './agreement'
import { readLikertJudgments, type PairwiseJudgment } from './judgments'

const oracles = humanOracles()

describe("Krippendorff's alpha", () => {
  const k = oracles.krippendorff2011
  // Units are the columns of the reliability data; missing values are left out.
  const units = k.reliability_data[0]!.map((_, u) => k.reliability_data.map((row) => row[u]).filter((v): v is number => v !== null))

  it.each(['nominal', 'ordinal', 'interval', 'ratio'] as const)('%s: the worked example of Krippendorff (2011), as NLTK computes it (1e-9) and as published (3 decimals)', (level) => {
    const alpha = krippendorffAlpha(units, level)
    expect(near(alpha, k[level]), `${alpha} vs NLTK ${k[level]}`).toBe(true)
    expect(Math.abs(alpha - k.published[level]!)).toBeLessThan(5e-4)
  })

  it('is 1 when every unit agrees and refuses data with no pairable unit or no variation', () => {
    expect(krippendorffAlpha([[1, 1], [2, 2, 2], [3]], 'interval')).toBe(1)
    expect(() => krippendorffAlpha([[1], [2]], 'nominal')).toThrow(MetricsInputError)
    expect(() => krippendorffAlpha([[2, 2], [2, 2]], 'ordinal')).toThrow('no expected disagreement')
    expect(() => krippendorffAlpha([[1, Number.NaN]], 'ordinal')).toThrow('units[0]: holds NaN, not a finite number')
  })
})

describe("Fleiss' kappa", () => {
  it.each(['fleiss1971', 'wikipedia'] as const)('%s: as statsmodels computes it (1e-9) and as published (3 decimals)', (name) => {
    const c = oracles.fleiss[name]
    const kappa = fleissKappa(c.table)
    expect(near(kappa, c.kappa), `${kappa} vs ${c.kappa}`).toBe(true)
    expect(Math.abs(kappa - c.published)).toBeLessThan(5e-4)
  })

  it('refuses subjects with different numbers of raters, naming the row', () => {
    expect(() => fleissKappa([[1, 2], [2, 2]])).toThrow("table[1]: has 4 ratings, row 0 has 3: Fleiss' kappa needs the same number of raters for every subject")
  })

  it('builds its table from pairwise choices, flipping judgments shown the other way round', () => {
    const j = (systemA: string, systemB: string, judge: string, item: string, choice: PairwiseJudgment['choice']): PairwiseJudgment => ({ systemA, systemB, judge, item, criterion: 'q', choice })
    const { table, skipped } = pairwiseChoiceTable(
      [j('X', 'Y', 'a', '1', 'A'), j('Y', 'X', 'b', '1', 'B'), j('X', 'Y', 'c', '1', 'neutral'), j('X', 'Y', 'a', '2', 'B'), j('X', 'Y', 'b', '2', 'B'), j('X', 'Y', 'c', '2', 'B'), j('X', 'Y', 'a', '3', 'A')],
      'q',
    )
    expect(table).toEqual([
      [2, 1, 0],
      [0, 0, 3],
    ])
    expect(skipped).toBe(1)
  })
})

describeShared('agreement on the DSTC-7 per-judge ratings', ['data', 'dstc7-task2-human-eval', 'dstc7-task2-human-eval-per-judge.tsv'], () => {
  it('interval alpha per criterion equals NLTK on the same units (1e-9)', () => {
    const path = sharedPath('data', 'dstc7-task2-human-eval', 'dstc7-task2-human-eval-per-judge.tsv')
    const { judgments } = readLikertJudgments(readFileSync(path, 'utf8'), { format: 'tsv', source: path })
    for (const criterion of ['Relevance', 'Informativeness']) {
      const alpha = krippendorffAlpha(likertUnits(judgments, criterion), 'interval')
      const reference = oracles.dstc7.alpha[criterion]!.interval
      expect(near(alpha, reference), `${criterion}: ${alpha} vs ${reference}`).toBe(true)
    }
  })
})
