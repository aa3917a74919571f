import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { readDstc7References } from '../human/dstc7-release'
import { dstcCleanStr } from './clean-str'
import { dstcReferenceSets } from './multi-reference'

describe("dstcReferenceSets (dstc.py's reference files)", () => {
  it('cycles each instance\'s references into 6 sets and replaces index 1 by the next one', () => {
    const sets = dstcReferenceSets([['r0', 'r1', 'r2', 'r3'], ['only'], ['a', 'b'], ['p', 'q', 'r', 's', 't', 'u', 'v']])
    expect(sets.map((s) => s[0])).toEqual(['r0', 'r2', 'r2', 'r3', 'r0', 'r2'])
    expect(sets.map((s) => s[1])).toEqual(['only', 'only', 'only', 'only', 'only', 'only'])
    expect(sets.map((s) => s[2])).toEqual(['a', 'a', 'a', 'a', 'a', 'a'])
    expect(sets.map((s) => s[3])).toEqual(['p', 'r', 'r', 's', 't', 'u'])
  })

  it('keeps every reference with vshuman: false, and takes nRefs', () => {
    const sets = dstcReferenceSets([['r0', 'r1', 'r2']], { vshuman: false, nRefs: 4 })
    expect(sets.map((s) => s[0])).toEqual(['r0', 'r1', 'r2', 'r0'])
  })

  it('refuses an instance without references, naming it', () => {
    expect(() => dstcReferenceSets([['a'], []])).toThrow('references[1]: has no references')
  })
})

describeShared('dstcReferenceSets against the metrics-golden preparation of DSTC-7', ['metrics-golden', 'dstc7', 'raw', 'ref5'], () => {
  it('gives, per instance, the same distinct references as the golden ref5 files, except where a reference cleans to nothing', () => {
    const gold = readDstc7References(readFileSync(sharedPath('data', 'dstc7-task2-human-eval', 'dstc7-task2-gold_responses.tsv'), 'utf8'), 'gold')
    const instances = readFileSync(sharedPath('metrics-golden', 'dstc7', 'instances.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]!)
    const ref5 = [0, 1, 2, 3, 4].map((i) => readFileSync(sharedPath('metrics-golden', 'dstc7', 'raw', 'ref5', `ref${i}.txt`), 'utf8').split('\n'))
    // Read the raw lines to see which instance has a reference that cleans to nothing.
    const rawLines = new Map(
      readFileSync(sharedPath('data', 'dstc7-task2-human-eval', 'dstc7-task2-gold_responses.tsv'), 'utf8')
        .split('\n')
        .map((l) => [l.split('\t')[0]!, l.split('\t').slice(1)]),
    )
    const sets = dstcReferenceSets(instances.map((id) => gold.get(id)!))
    let same = 0
    instances.forEach((id, k) => {
      const ours = new Set(sets.map((s) => s[k]))
      const golden = new Set(ref5.map((f) => f[k]))
      if ([...ours].every((r) => golden.has(r)) && ours.size === golden.size) same++
      // The golden preparation removed references that are empty before or after clean_str.
      else expect(rawLines.get(id)!.slice(0, 7).some((r) => dstcCleanStr(r).trim() === ''), `instance ${id}`).toBe(true)
    })
    expect(same).toBeGreaterThanOrEqual(468)
  })
})
