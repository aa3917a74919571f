import { describe, expect, it } from 'vitest'
import { dstcEvaluate } from '../dstc-evaluate'
import { dstcCleanStr } from '../dstc/clean-str'
import { dstcReferenceSets } from '../dstc/multi-reference'
import { kendallTauB, pearson, spearman } from './correlation'
import type { LikertJudgment } from './judgments'
import { metricHumanAgreement } from './metric-agreement'

describe('metricHumanAgreement', () => {
  const references = new Map([
    ['k1', ['the cat sat on the mat .', 'HUMAN reply one', 'a cat is on the mat']],
    ['k2', ['i like green tea', 'human reply two', 'green tea is good', 'tea , green , please']],
    ['k3', ['see you tomorrow at noon', 'human reply three']],
  ])
  const responses = new Map([
    ['good', new Map([['k1', 'the cat is on the mat'], ['k2', 'i like green tea a lot'], ['k3', 'see you at noon']])],
    ['fair', new Map([['k1', 'a cat'], ['k2', 'tea is good'], ['k3', 'tomorrow']])],
    ['poor', new Map([['k1', 'no'], ['k2', 'what ?'], ['k3', 'hmm']])],
    ['unjudged', new Map([['k1', 'x'], ['k2', 'y'], ['k3', 'z']])],
  ])
  const judgments: LikertJudgment[] = []
  const score: Record<string, number> = { good: 4, fair: 3, poor: 1 }
  for (const [system, base] of Object.entries(score))
    for (const item of ['k1', 'k2', 'k3'])
      for (const [judge, delta] of [['a', 0], ['b', 1]] as const) judgments.push({ judge, item, system, criterion: 'rel', rating: base + delta - (item === 'k3' ? 1 : 0) })

  const result = metricHumanAgreement({ references, responses, judgments, meteor: false, bootstrap: { iterations: 200 }, segmentBootstrap: { iterations: 100 } })

  it('scores each judged system as dstcEvaluate does on the dstc.py reference sets, and leaves out systems nobody judged', () => {
    expect(result.systems.map((s) => s.system)).toEqual(['fair', 'good', 'poor'])
    const sets = dstcReferenceSets([...references.values()].map((r) => r.map(dstcCleanStr)))
    for (const s of result.systems) {
      const hyps = ['k1', 'k2', 'k3'].map((k) => dstcCleanStr(responses.get(s.system)!.get(k)!))
      expect(s.evaluation).toEqual(dstcEvaluate({ hypotheses: hyps, references: sets, meteor: false }))
    }
    expect(result.systems.find((s) => s.system === 'good')!.human).toBeCloseTo((4 + 5 + 4 + 5 + 3 + 4) / 6, 12)
  })

  it('correlates each metric with the human means per system, and per response where a metric has one', () => {
    const bleu2 = result.correlations.find((c) => c.metric === 'BLEU-2' && c.level === 'system')!
    const xs = result.systems.map((s) => s.metrics['BLEU-2'])
    const ys = result.systems.map((s) => s.human)
    expect(bleu2.n).toBe(3)
    expect(bleu2.correlations.pearson.estimate).toBeCloseTo(pearson(xs, ys), 12)
    expect(bleu2.correlations.spearman.estimate).toBeCloseTo(spearman(xs, ys), 12)
    expect(bleu2.correlations.kendall.estimate).toBeCloseTo(kendallTauB(xs, ys), 12)
    expect(result.correlations.some((c) => c.metric === 'METEOR')).toBe(false)
    const segments = result.correlations.filter((c) => c.level === 'segment')
    expect(segments.map((c) => [c.metric, c.n])).toEqual([
      ['BLEU-2', 9],
      ['Avg len', 9],
    ])
  })

  it('refuses a judged system that lacks a response, naming both', () => {
    const partial = new Map([...responses, ['fair', new Map([['k1', 'a cat']])]])
    expect(() => metricHumanAgreement({ references, responses: partial, judgments, meteor: false, segments: false })).toThrow('responses: fair has no response to instance k2')
  })
})
