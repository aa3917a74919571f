import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { runEvalCli } from './eval-cli'

const dir = mkdtempSync(join(tmpdir(), 'dialogpt-human-cli-'))
const file = (name: string, content: string) => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}
function capture() {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) } }
}

const pairwise = [
  'system_a,system_b,judge,item,criterion,choice',
  ...Array.from({ length: 30 }, (_, i) => `Ours,Theirs,j${i % 3},item${Math.floor(i / 3)},relevance,${i % 5 === 0 ? 'B' : i % 7 === 0 ? 'neutral' : 'A'}`),
].join('\n')

describe('dialogpt-eval human', () => {
  it('prints the preference table with marks, agreement, and writes an SVG; CSV and JSON carry the same numbers', async () => {
    const path = file('pairs.csv', `${pairwise}\n`)
    const svg = join(dir, 'pairs.svg')
    const c = capture()
    expect(await runEvalCli(['human', '--pairwise', path, '--iterations', '500', '--svg', svg], c.io)).toBe(0)
    const md = c.out.join('')
    expect(md).toContain('## Pairwise preferences (Table 7) and bootstrap test (Table 8)')
    expect(md).toMatch(/\| relevance \| Ours \| 20 \(67%\) \| 4 \(13%\) \| 6 \(20%\) \| Theirs \*{0,4} \|/)
    expect(md).toMatch(/\| relevance \| fleiss-kappa \| -?\d\.\d{4} \| 10 \|/)
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg /)
    const j = capture()
    expect(await runEvalCli(['human', '--pairwise', path, '--iterations', '500', '--output', 'json'], j.io)).toBe(0)
    const report = JSON.parse(j.out.join(''))
    expect(report.preferences[0].counts).toEqual({ a: 20, neutral: 4, b: 6, total: 30 })
    const csv = capture()
    expect(await runEvalCli(['human', '--pairwise', path, '--iterations', '500', '--output', 'csv'], csv.io)).toBe(0)
    const [preferences] = csv.out.join('').split('\n\n')
    expect(preferences!.split('\n')[1]!.split(',').slice(0, 7)).toEqual(['relevance', 'Ours', 'Theirs', '20', '4', '6', '30'])
    expect(Number(preferences!.split('\n')[1]!.split(',')[16])).toBeCloseTo(report.preferences[0].difference.estimate, 12)
  })

  it('runs the README example (examples/pairwise-judgments.csv) with --first', async () => {
    const c = capture()
    const example = join(__dirname, '..', '..', 'examples', 'pairwise-judgments.csv')
    expect(await runEvalCli(['human', '--pairwise', example, '--first', 'ours-mmi', '--first', 'ours'], c.io)).toBe(0)
    expect(c.out.join('')).toMatch(/\| relevance \| ours \| 112 \(62%\) \| 10 \(6%\) \| 58 \(32%\) \| baseline \*\* \|/)
    expect(c.out.join('')).toMatch(/\| human-like \| ours-mmi \| 104 \(58%\) \| 11 \(6%\) \| 65 \(36%\) \| ours \*{0,2} \|/)
  })

  it('refuses a malformed file with its line (exit 1), or counts the rows with --lenient', async () => {
    const bad = file('bad.tsv', 'judge\titem\tsystem\tq\nj\ti\tS\t3\nj\ti2\tS\tlots\nj\ti3\tS\t2\nk\ti\tS\t4\n')
    const c = capture()
    expect(await runEvalCli(['human', '--likert', bad, '--iterations', '100'], c.io)).toBe(1)
    expect(c.err.join('')).toBe(`dialogpt-eval: ${bad}:3: the q rating "lots" is not a number\n`)
    const l = capture()
    expect(await runEvalCli(['human', '--likert', bad, '--iterations', '100', '--lenient'], l.io)).toBe(0)
    expect(l.err.join('')).toContain(`1 malformed rows left out (--lenient); the first: ${bad}:3`)
    expect(l.out.join('')).toContain('**1 rows left out** (lenient mode)')
  })

  it('reports an agreement measure that is undefined on the data as such, and still prints the rest', async () => {
    const unanimous = file('unanimous.csv', ['system_a,system_b,judge,item,criterion,choice', ...Array.from({ length: 12 }, (_, i) => `X,Y,j${i % 3},i${Math.floor(i / 3)},q,A`)].join('\n'))
    const c = capture()
    expect(await runEvalCli(['human', '--pairwise', unanimous, '--iterations', '200'], c.io)).toBe(0)
    expect(c.out.join('')).toContain("| q | fleiss-kappa | undefined (every rating is in one category: kappa is undefined) | 4 |")
    expect(c.out.join('')).toMatch(/\| q \| X \| 12 \(100%\) \| 0 \(0%\) \| 0 \(0%\) \| Y/)
    const j = capture()
    expect(await runEvalCli(['human', '--pairwise', unanimous, '--iterations', '200', '--output', 'json'], j.io)).toBe(0)
    const kappa = JSON.parse(j.out.join('')).agreement.find((a: { measure: string }) => a.measure === 'fleiss-kappa')
    expect(kappa.value).toBeNull()
    expect(kappa.undefinedBecause).toMatch(/kappa is undefined/)
  })

  it('exits 2 for bad usage', async () => {
    const path = file('ok.csv', `${pairwise}\n`)
    for (const args of [['human'], ['human', '--pairwise', path, '--output', 'xml'], ['human', '--pairwise', path, '--ties', 'third'], ['human', '--pairwise', path, '--iterations', '1.5'], ['human', '--bogus']]) {
      const c = capture()
      expect(await runEvalCli(args, c.io), args.join(' ')).toBe(2)
      expect(c.err.join('')).toContain('Usage: dialogpt-eval human')
    }
    const c = capture()
    expect(await runEvalCli(['correlate'], c.io)).toBe(2)
    expect(c.err.join('')).toContain('give --dstc7 DIR, or all of --judgments, --references and --responses')
  })
})

describeShared('dialogpt-eval on the DSTC-7 human-evaluation release', ['data', 'dstc7-task2-human-eval'], () => {
  const d = sharedPath('data', 'dstc7-task2-human-eval')

  it('human: the ranking with intervals and marks, the agreement figures, and every released score accounted for', async () => {
    const c = capture()
    const svg = join(dir, 'dstc7-ranking.svg')
    const code = await runEvalCli(
      ['human', '--likert', join(d, 'dstc7-task2-human-eval-per-judge.tsv'), '--dstc7-released', join(d, 'dstc7-task2-human_evaluation.tsv'), '--iterations', '2000', '--svg', svg],
      c.io,
    )
    expect(c.err.join('')).toBe('')
    expect(code).toBe(0)
    const md = c.out.join('')
    expect(md).toContain('30954 judgments')
    expect(md).toMatch(/\| 1 \| Human \| 3\.573 \| 0\.0\d{3} \| \(3\.\d{3}, 3\.\d{3}\) \| 2814 \| all below \|/)
    expect(md).toMatch(/\| Relevance \| alpha-ordinal \| 0\.19\d\d \| 5159 \|/)
    expect(md).toContain('4690 of 4690 cells equal the mean of their per-judge ratings')
    expect(md).toContain('62 judgments repeat an earlier one')
    expect(readFileSync(svg, 'utf8').match(/<circle /g)).toHaveLength(11)
  })

  describeShared('correlate', ['meteor-data'], () => {
    it('correlate: each metric against the judges at the system and the segment level', async () => {
      const c = capture()
      const svg = join(dir, 'dstc7-correlate.svg')
      const code = await runEvalCli(['correlate', '--dstc7', d, '--meteor-data', sharedPath('meteor-data'), '--iterations', '300', '--segment-iterations', '30', '--svg', svg], c.io)
      expect(c.err.join('')).toBe('')
      expect(code).toBe(0)
      const md = c.out.join('')
      expect(md).toContain('# Automatic metrics against human judgments (469 instances, 10 systems)')
      expect(md).toContain('## System level (n = 10; 95% bootstrap CI)')
      expect(md).toContain('## Segment level (n = 4690; 95% bootstrap CI)')
      for (const metric of ['NIST-2', 'NIST-4', 'BLEU-2', 'BLEU-4', 'METEOR', 'Entropy-4', 'Dist-1', 'Dist-2', 'Avg len']) expect(md).toMatch(new RegExp(`\\| ${metric} \\| -?0\\.\\d{3} \\(`))
      expect(existsSync(svg)).toBe(true)
      expect(readFileSync(svg, 'utf8').match(/<g>/g)).toHaveLength(9)
    })
  })
})
