import { expect, it } from 'vitest'
import { describeShared } from '../../../../test/shared'
import { closeRelative, goldenCases } from '../testing/golden'
import { bleuFromStats } from './bleu'
import { roundMteval } from './format'
import { nistFromStats } from './nist'
import { mtevalStats } from './stats'

describeShared('BLEU and NIST against mteval-v14c (golden.json)', ['metrics-golden', 'golden.json'], () => {
  const variants = goldenCases().flatMap((c) => [
    { ...c, caseSensitive: false, expected: c.golden.mteval },
    ...(c.golden.mteval_case_sensitive ? [{ ...c, name: `${c.name} -c`, caseSensitive: true, expected: c.golden.mteval_case_sensitive }] : []),
  ])

  it('covers every corpus, system and edge case', () => {
    expect(variants.length).toBeGreaterThanOrEqual(32)
  })

  it.each(variants.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const stats = mtevalStats(v.hypotheses, v.references, { caseSensitive: v.caseSensitive, maxOrder: 9 })
    const b = bleuFromStats(stats)
    const n = nistFromStats(stats)
    const full = v.expected.full_precision
    const report = (label: string, ours: number[], golden: number[]) =>
      ours.map((x, i) => ({ what: `${label}[${i + 1}]`, ours: x, golden: golden[i], ok: closeRelative(x, golden[i]!) })).filter((r) => !r.ok)
    expect([
      ...report('bleu_cum', b.cumulative, full.bleu_cum),
      ...report('bleu_ind', b.individual, full.bleu_ind),
      ...report('nist_cum', n.cumulative, full.nist_cum),
      ...report('nist_ind', n.individual, full.nist_ind),
    ]).toEqual([])
    // Sufficient statistics, as the modified mteval printed them.
    const s = full.stats.BLEU
    expect(stats.refLength).toBe(s.ref_length)
    expect(stats.nRefSets).toBe(s.nrefsets)
    for (let k = 1; k <= 5; k++) {
      expect(stats.match[k - 1], `match[${k}]`).toBe(s.n[k].match)
      expect(stats.tst[k - 1], `tst[${k}]`).toBe(s.n[k].tst)
      expect(stats.ref[k - 1], `ref[${k}]`).toBe(s.n[k].ref)
      expect(closeRelative(stats.tstInfo[k - 1]!, s.n[k].tst_info)).toBe(true)
    }
    // What DialoGPT reports: the cumulative 1..4 rounded by mteval's printf.
    expect(b.cumulative.slice(0, 4).map(roundMteval)).toEqual(v.expected.official_4dp.bleu)
    expect(n.cumulative.slice(0, 4).map(roundMteval)).toEqual(v.expected.official_4dp.nist)
  })
})
