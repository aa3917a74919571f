import { describe, expect, it } from 'vitest'
import type { PairwiseJudgment } from './judgments'
import { comparePreferences } from './preference'

const j = (systemA: string, systemB: string, item: string, choice: PairwiseJudgment['choice'], criterion = 'relevance', judge = 'j'): PairwiseJudgment => ({
  systemA,
  systemB,
  judge,
  item,
  criterion,
  choice,
})

describe('comparePreferences (Tables 7 and 8)', () => {
  // 3 judges on each of 4 items; the pair is sometimes shown as (Y, X).
  const judgments = [
    j('X', 'Y', '1', 'A', 'relevance', 'a'),
    j('Y', 'X', '1', 'B', 'relevance', 'b'), // prefers X
    j('X', 'Y', '1', 'neutral', 'relevance', 'c'),
    j('X', 'Y', '2', 'A', 'relevance', 'a'),
    j('X', 'Y', '2', 'B', 'relevance', 'b'),
    j('Y', 'X', '2', 'A', 'relevance', 'c'), // prefers Y
    j('X', 'Y', '3', 'A', 'relevance', 'a'),
    j('X', 'Y', '3', 'A', 'relevance', 'b'),
    j('X', 'Y', '3', 'A', 'relevance', 'c'),
    j('X', 'Y', '4', 'neutral', 'relevance', 'a'),
    j('X', 'Y', '4', 'B', 'relevance', 'b'),
    j('X', 'Y', '4', 'A', 'relevance', 'c'),
    j('X', 'Z', '1', 'B', 'fluency', 'a'),
  ]

  it('counts A / neutral / B per criterion and pair, flipping judgments shown the other way round', () => {
    const rows = comparePreferences(judgments, { iterations: 200 })
    expect(rows.map((r) => [r.criterion, r.systemA, r.systemB])).toEqual([
      ['relevance', 'X', 'Y'],
      ['fluency', 'X', 'Z'],
    ])
    const r = rows[0]!
    expect(r.counts).toEqual({ a: 7, neutral: 2, b: 3, total: 12 })
    expect(r.shares.a + r.shares.neutral + r.shares.b).toBeCloseTo(1, 15)
    expect(r.items).toBe(4)
    expect(r.meanA.estimate).toBeCloseTo(7 / 12, 15)
    expect(r.meanB.estimate).toBeCloseTo(3 / 12, 15)
    expect(r.difference.estimate).toBeCloseTo(4 / 12, 15)
  })

  it('puts the systems named in first as system A, flipping the counts', () => {
    const r = comparePreferences(judgments, { iterations: 200, first: ['Y'] })[0]!
    expect([r.systemA, r.systemB]).toEqual(['Y', 'X'])
    expect(r.counts).toEqual({ a: 3, neutral: 2, b: 7, total: 12 })
    expect(r.difference.estimate).toBeCloseTo(-4 / 12, 15)
  })

  it("codes a neutral judgment as half for each system with ties: 'half'", () => {
    const r = comparePreferences(judgments, { iterations: 200, ties: 'half' })[0]!
    expect(r.meanA.estimate).toBeCloseTo(8 / 12, 15)
    expect(r.meanB.estimate).toBeCloseTo(4 / 12, 15)
    expect(r.meanA.estimate + r.meanB.estimate).toBeCloseTo(1, 15)
    expect(r.difference.estimate).toBeCloseTo(4 / 12, 15)
  })

  it('reproduces the counts and shares of a Table 7 row, with significance from the bootstrap and the sign test', () => {
    // Table 7, relevance, DialoGPT (345M) vs PersonalityChat: 3462 (76%) / 196 (4%) / 899 (20%).
    const rows: PairwiseJudgment[] = []
    let item = 0
    const add = (count: number, choice: PairwiseJudgment['choice']) => {
      for (let i = 0; i < count; i++) rows.push(j('DialoGPT (345M)', 'PersonalityChat', String(Math.floor(item++ / 3)), choice, 'relevance', `judge${item % 3}`))
    }
    add(3462, 'A')
    add(196, 'neutral')
    add(899, 'B')
    const r = comparePreferences(rows, { iterations: 2000, seed: 4 })[0]!
    expect(r.counts).toEqual({ a: 3462, neutral: 196, b: 899, total: 4557 })
    expect([r.shares.a, r.shares.neutral, r.shares.b].map((s) => Math.round(100 * s))).toEqual([76, 4, 20])
    expect(r.difference.p).toBe(0)
    expect(r.stars).toBe('**') // 2,000 resamples resolve p ≤ 0.001 and no finer
    expect(r.signTestP).toBeLessThan(1e-300)
  })

  it('refuses an empty list and an unknown tie rule', () => {
    expect(() => comparePreferences([])).toThrow('judgments: there are no judgments')
    expect(() => comparePreferences(judgments, { ties: 'third' as never })).toThrow("ties: must be 'none' or 'half', got third")
  })
})
