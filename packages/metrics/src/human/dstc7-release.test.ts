import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { readDstc7References, readDstc7ReleasedScores, readDstc7Responses, reproduceReleasedScores } from './dstc7-release'
import { readLikertJudgments } from './judgments'

describe('DSTC-7 release readers', () => {
  it('read references (plain or score|text), responses and released scores, skipping the Average row', () => {
    const refs = readDstc7References('InstanceID\tReference1\t...\nk1\ta\t0.5|b\t\nk2\tc\n', 'g.tsv')
    expect([...refs]).toEqual([
      ['k1', ['a', 'b']],
      ['k2', ['c']],
    ])
    const responses = readDstc7Responses('SystemID\tInstanceID\tResponse\nS\tk1\thi\n', 'r.tsv')
    expect(responses.get('S')!.get('k1')).toBe('hi')
    const released = readDstc7ReleasedScores('InstanceID\tS\tT\nk1\t3.50\t2.00\nAverage\t3.50\t2.00\n', 'h.tsv')
    expect(released.instances).toEqual(['k1'])
    expect(released.cells.get('T')!.get('k1')).toBe('2.00')
  })

  it('refuse an instance twice and a score that is not a number, with file:line', () => {
    expect(() => readDstc7References('InstanceID\tR\nk1\ta\nk1\tb\n', 'g.tsv')).toThrow('g.tsv:3: instance k1 appears twice')
    expect(() => readDstc7ReleasedScores('InstanceID\tS\nk1\tx\n', 'h.tsv')).toThrow('h.tsv:2: the S score "x" is not a number')
  })
})

describeShared('the released per-instance scores, recomputed from the per-judge ratings', ['data', 'dstc7-task2-human-eval'], () => {
  const dir = sharedPath('data', 'dstc7-task2-human-eval')
  const perJudge = `${dir}/dstc7-task2-human-eval-per-judge.tsv`
  const { judgments } = readLikertJudgments(readFileSync(perJudge, 'utf8'), { format: 'tsv', source: perJudge })
  const released = readDstc7ReleasedScores(readFileSync(`${dir}/dstc7-task2-human_evaluation.tsv`, 'utf8'), 'human_evaluation.tsv')

  it('every one of the 4,690 cells is the mean of its 6 ratings, and TeamCE pools TeamCE and TeamEC (12 ratings)', () => {
    const check = reproduceReleasedScores(judgments, released)
    expect(check.cells).toBe(4690)
    expect(check.differences).toEqual([])
  })

  it('without pooling, the cells that differ are 430 of the 469 TeamCE cells and no others', () => {
    const check = reproduceReleasedScores(judgments, released, {})
    expect(new Set(check.differences.map((d) => d.system))).toEqual(new Set(['TeamCE']))
    expect(check.differences.every((d) => d.ratings === 6)).toBe(true)
    expect(check.differences).toHaveLength(430)
    expect(check.matched).toBe(4690 - check.differences.length)
  })

  it('reads the gold references and the responses of the 10 systems on the 469 instances', () => {
    const refs = readDstc7References(readFileSync(`${dir}/dstc7-task2-gold_responses.tsv`, 'utf8'), 'gold')
    const responses = readDstc7Responses(readFileSync(`${dir}/dstc7-task2-system_responses.tsv`, 'utf8'), 'responses')
    expect(refs.size).toBe(469)
    expect(responses.size).toBe(10)
    for (const answers of responses.values()) expect(answers.size).toBe(469)
  })
})
