import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { humanOracles, near } from '../testing/human-oracles'
import type { LikertJudgment } from './judgments'
import { readLikertJudgments } from './judgments'
import { ALL_CRITERIA, summarizeLikert } from './likert'

describe('summarizeLikert', () => {
  // Three systems on 60 items: A is clearly best, B and C differ by little.
  const js: LikertJudgment[] = []
  for (let i = 0; i < 60; i++)
    for (const [system, base] of [['A', 4], ['B', 2.5], ['C', 2.4]] as const)
      for (const judge of ['x', 'y']) js.push({ judge, item: String(i), system, criterion: 'q', rating: base + ((i * 7 + judge.length) % 3) - 1 })

  it('ranks by mean and marks which differences are significant, pairing systems on the same items', () => {
    const [s] = summarizeLikert(js, { iterations: 2000 })
    expect(s!.criterion).toBe('q')
    expect(s!.systems.map((x) => [x.rank, x.system, x.ratings, x.items])).toEqual([
      [1, 'A', 120, 60],
      [2, 'B', 120, 60],
      [3, 'C', 120, 60],
    ])
    expect(s!.systems[0]!.significantlyAbove).toEqual(['B', 'C'])
    // B − C is exactly 0.1 on every item: paired, its bootstrap spread is zero and it is significant.
    const bc = s!.differences.find((d) => d.higher === 'B' && d.lower === 'C')!
    expect(bc.difference.estimate).toBeCloseTo(0.1, 12)
    expect(bc.difference.sd).toBeLessThan(1e-12)
    expect(bc.significant).toBe(true)
    expect(s!.differences).toHaveLength(3)
  })

  it('adds all criteria together when there are several', () => {
    const two = [...js, ...js.map((x) => ({ ...x, criterion: 'r', rating: 6 - x.rating }))]
    const out = summarizeLikert(two, { iterations: 100 })
    expect(out.map((s) => s.criterion)).toEqual(['q', 'r', ALL_CRITERIA])
    expect(out[2]!.systems.every((x) => Math.abs(x.mean.estimate - 3) < 1e-12)).toBe(true)
    expect(out[2]!.systems.map((x) => x.rank)).toEqual([1, 1, 1])
  })
})

describeShared('DSTC-7 rankings', ['data', 'dstc7-task2-human-eval', 'dstc7-task2-human-eval-per-judge.tsv'], () => {
  const path = sharedPath('data', 'dstc7-task2-human-eval', 'dstc7-task2-human-eval-per-judge.tsv')
  it('has per-system means equal to numpy on the released per-judge file (1e-9)', () => {
    const { judgments } = readLikertJudgments(readFileSync(path, 'utf8'), { format: 'tsv', source: path })
    const summaries = summarizeLikert(judgments, { iterations: 200 })
    const means = humanOracles().dstc7.means
    for (const criterion of ['Relevance', 'Informativeness']) {
      const s = summaries.find((x) => x.criterion === criterion)!
      expect(s.systems).toHaveLength(11)
      for (const x of s.systems) expect(near(x.mean.estimate, means[criterion]![x.system]!), `${criterion} ${x.system}`).toBe(true)
    }
    // Human responses are rated best on both criteria, above every system.
    for (const s of summaries) {
      expect(s.systems[0]!.system).toBe('Human')
      expect(s.systems[0]!.significantlyAbove).toHaveLength(10)
    }
  })
})
