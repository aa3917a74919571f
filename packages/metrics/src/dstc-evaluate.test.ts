import { beforeAll, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../test/shared'
import { dstcEvaluate } from './dstc-evaluate'
import { MetricsInputError } from './errors'
import { roundMteval } from './mteval/format'
import { loadMeteorResources } from './node/load-resources'
import type { MeteorResources } from './meteor/resources'
import { readGoldenLines } from './testing/golden'

describeShared('dstcEvaluate reproduces the DSTC-7 demo numbers published upstream', ['metrics-golden', 'dstc7-demo'], () => {
  let resources: MeteorResources
  beforeAll(async () => {
    resources = await loadMeteorResources(sharedPath('meteor-data'))
  })
  it('matches the README of DSTC7-End-to-End-Conversation-Modeling/evaluation', () => {
    const r = dstcEvaluate({
      hypotheses: readGoldenLines('dstc7-demo/hyp.txt'),
      references: [readGoldenLines('dstc7-demo/ref0.txt'), readGoldenLines('dstc7-demo/ref1.txt')],
      meteor: { resources },
    })
    // Published: nist [1.8338, 2.0838, 2.1949, 2.1949], bleu [0.4667, 0.441, 0.4017, 0.3224],
    // entropy [2.5232, 2.4849, 2.1972, 1.7918], diversity [0.8667, 1.0], avg_len 5.
    expect(r.nist.map(roundMteval)).toEqual([1.8338, 2.0838, 2.1949, 2.1949])
    expect(r.bleu.map(roundMteval)).toEqual([0.4667, 0.441, 0.4017, 0.3224])
    expect(r.entropy.map((x) => Number(x.toFixed(4)))).toEqual([2.5232, 2.4849, 2.1972, 1.7918])
    expect(r.dist.map((x) => Number(x.toFixed(4)))).toEqual([0.8667, 1.0])
    expect(r.avgLen).toBe(5)
    // The published METEOR (0.2832) used the paraphrase table; without it METEOR 1.5 gives 0.2714.
    expect(Number(r.meteor.toFixed(4))).toBe(0.2714)
  })

  it('with clean: true equals cleaning first (DialoGPT dstc.py --clean on the DSTC-7 set)', () => {
    const raw = readGoldenLines('dstc7/raw/hyp.TeamB.txt')
    const rawRefs = [0, 1, 2, 3, 4].map((i) => readGoldenLines(`dstc7/raw/ref5/ref${i}.txt`))
    const clean = readGoldenLines('dstc7/clean/hyp.TeamB.txt')
    const cleanRefs = [0, 1, 2, 3, 4].map((i) => readGoldenLines(`dstc7/clean/ref5/ref${i}.txt`))
    expect(dstcEvaluate({ hypotheses: raw, references: rawRefs, clean: true, meteor: false })).toEqual(
      dstcEvaluate({ hypotheses: clean, references: cleanRefs, meteor: false }),
    )
  })
})

it('returns NaN for Dist-n where the original divides by zero, and skips METEOR when asked', () => {
  const r = dstcEvaluate({ hypotheses: ['hello', 'there'], references: [['hello you', 'there you']], meteor: false })
  expect(r.dist[0]).toBe(1)
  expect(r.dist[1]).toBeNaN()
  expect(r.meteor).toBeNaN()
  expect(r.avgLen).toBe(1)
})

it('rejects bad input with a typed error naming the argument', () => {
  expect(() => dstcEvaluate({ hypotheses: [], references: [[]], meteor: false })).toThrow(/hypotheses: the corpus is empty/)
  expect(() => dstcEvaluate({ hypotheses: ['a', 'b'], references: [['a', 'b'], ['a']], meteor: false })).toThrow(MetricsInputError)
  expect(() => dstcEvaluate({ hypotheses: ['a', 'b'], references: [['a', 'b'], ['a']], meteor: false })).toThrow(/references\[1\]: has 1 segments but there are 2 hypotheses/)
  // @ts-expect-error -- meteor is required
  expect(() => dstcEvaluate({ hypotheses: ['a'], references: [['a']] })).toThrow(/meteor: pass \{ resources \}/)
})
