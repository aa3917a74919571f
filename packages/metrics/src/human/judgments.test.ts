import { describe, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { readFileSync } from 'node:fs'
import { readLikertJudgments, readPairwiseJudgments } from './judgments'

describe('readLikertJudgments', () => {
  it('reads the wide layout (one column per criterion), as DSTC-7 releases it', () => {
    const { judgments, rejected, repeated } = readLikertJudgments('\uFEFFJudgeID\tInstanceID\tSystemID\tRelevance\tInformativeness\nj1\ti1\tS\t4\t2\n', {
      format: 'tsv',
      source: 'w.tsv',
    })
    expect(judgments).toEqual([
      { judge: 'j1', item: 'i1', system: 'S', criterion: 'Relevance', rating: 4 },
      { judge: 'j1', item: 'i1', system: 'S', criterion: 'Informativeness', rating: 2 },
    ])
    expect(rejected).toEqual([])
    expect(repeated).toEqual([])
  })

  it('reads the long layout from CSV and JSON lines alike', () => {
    const csv = readLikertJudgments('judge,item,system,criterion,rating\nj,i,S,fluency,3\n', { format: 'csv', source: 'l.csv' })
    const jsonl = readLikertJudgments('{"judge":"j","item":"i","system":"S","criterion":"fluency","rating":3}\n', { format: 'jsonl', source: 'l.jsonl' })
    expect(csv.judgments).toEqual([{ judge: 'j', item: 'i', system: 'S', criterion: 'fluency', rating: 3 }])
    expect(jsonl.judgments).toEqual(csv.judgments)
  })

  it('refuses a rating that is not a number or is off the scale, with file:line; --lenient counts it', () => {
    const text = 'judge\titem\tsystem\tq\nj\ti\tS\t3\nj\ti2\tS\tgood\nj\ti3\tS\t9\nj\ti4\tS\t\n'
    expect(() => readLikertJudgments(text, { format: 'tsv', source: 'r.tsv' })).toThrow('r.tsv:3: the q rating "good" is not a number')
    expect(() => readLikertJudgments(text.replace('good', '2'), { format: 'tsv', source: 'r.tsv', scale: [1, 5] })).toThrow('r.tsv:4: the q rating 9 is outside the scale 1–5')
    const lenient = readLikertJudgments(text, { format: 'tsv', source: 'r.tsv', lenient: true, scale: [1, 5] })
    expect(lenient.judgments.map((j) => j.item)).toEqual(['i'])
    expect(lenient.rejected.map((r) => r.where)).toEqual(['r.tsv:3', 'r.tsv:4', 'r.tsv:5'])
  })

  it('keeps and lists a repeated judgment, or refuses it when asked', () => {
    const text = 'judge\titem\tsystem\tq\nj\ti\tS\t3\nj\ti\tS\t1\n'
    const kept = readLikertJudgments(text, { format: 'tsv', source: 'd.tsv' })
    expect(kept.judgments).toHaveLength(2)
    expect(kept.repeated).toEqual([{ where: 'd.tsv:3', reason: 'judge j already rated S on item i for q (line 2)' }])
    expect(() => readLikertJudgments(text, { format: 'tsv', source: 'd.tsv', repeats: 'refuse' })).toThrow('d.tsv:3: judge j already rated S on item i for q (line 2)')
  })

  it('lists no repeat from a row that was left out (lenient), and keeps counting from the rows kept', () => {
    const text = 'judge\titem\tsystem\tq\tr\nj\ti\tS\t3\t4\nj\ti\tS\t2\tbad\nj\ti\tS\t1\t1\n'
    const read = readLikertJudgments(text, { format: 'tsv', source: 'w.tsv', lenient: true })
    expect(read.rejected.map((r) => r.where)).toEqual(['w.tsv:3'])
    expect(read.repeated).toEqual([
      { where: 'w.tsv:4', reason: 'judge j already rated S on item i for q (line 2)' },
      { where: 'w.tsv:4', reason: 'judge j already rated S on item i for r (line 2)' },
    ])
    expect(read.judgments).toHaveLength(4)
  })

  it('names the missing column and the names it accepts', () => {
    expect(() => readLikertJudgments('who\titem\tsystem\tq\n', { format: 'tsv', source: 'c.tsv' })).toThrow(/c\.tsv: no "judge" column \(accepted names: judge, judgeid/)
  })
})

describe('readPairwiseJudgments', () => {
  it('reads choices as A, B, neutral or a system name, in any case', () => {
    const text = 'system_a,system_b,judge,item,criterion,choice\nX,Y,j1,i1,rel,A\nX,Y,j2,i1,rel,y\nY,X,j3,i1,rel,Neutral\nX,Y,j1,i2,rel,x\n'
    const { judgments } = readPairwiseJudgments(text, { format: 'csv', source: 'p.csv' })
    expect(judgments.map((j) => j.choice)).toEqual(['A', 'B', 'neutral', 'A'])
  })

  it('refuses an unknown choice and a pair of one system, and lists repeats whichever way the pair was shown', () => {
    const bad = 'system_a\tsystem_b\tjudge\titem\tcriterion\tchoice\nX\tY\tj\ti\tq\tmaybe\n'
    expect(() => readPairwiseJudgments(bad, { format: 'tsv', source: 'p.tsv' })).toThrow('p.tsv:2: the choice "maybe" is not A, B, neutral or one of the two systems')
    const same = 'system_a\tsystem_b\tjudge\titem\tcriterion\tchoice\nX\tX\tj\ti\tq\tA\n'
    expect(() => readPairwiseJudgments(same, { format: 'tsv', source: 'p.tsv' })).toThrow('p.tsv:2: system A and system B are both X')
    const twice = 'system_a\tsystem_b\tjudge\titem\tcriterion\tchoice\nX\tY\tj\ti\tq\tA\nY\tX\tj\ti\tq\tB\n'
    const read = readPairwiseJudgments(twice, { format: 'tsv', source: 'p.tsv' })
    expect(read.repeated.map((r) => r.where)).toEqual(['p.tsv:3'])
  })
})

describeShared('the DSTC-7 per-judge file, read as released', ['data', 'dstc7-task2-human-eval', 'dstc7-task2-human-eval-per-judge.tsv'], () => {
  it('gives 15,477 rows × 2 criteria from 11 system IDs, and lists the 31 rows a judge repeated', () => {
    const path = sharedPath('data', 'dstc7-task2-human-eval', 'dstc7-task2-human-eval-per-judge.tsv')
    const text = readFileSync(path, 'utf8')
    expect(text.charCodeAt(0)).toBe(0xfeff)
    const { judgments, rejected, repeated } = readLikertJudgments(text, { format: 'tsv', source: path, scale: [1, 5] })
    expect(judgments).toHaveLength(15_477 * 2)
    expect(rejected).toEqual([])
    expect(new Set(judgments.map((j) => j.system)).size).toBe(11)
    expect(new Set(judgments.map((j) => j.criterion))).toEqual(new Set(['Relevance', 'Informativeness']))
    expect(repeated).toHaveLength(31 * 2)
  })
})
