import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TokenStore } from '@dialogpt/data/node'
import { describeShared, sharedPath } from '../../../../test/shared'
import { main } from './main'

const scratch = () => mkdtempSync(join(tmpdir(), 'dialogpt-cli-'))
const sample = resolve(__dirname, '../../../../examples/data/reddit-sample.jsonl')

async function run(...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) })
  return { code, out: out.join(''), err: err.join('') }
}

describe('dialogpt prepare', () => {
  it('prints the report as one JSON object whose counts add up, and writes the store', async () => {
    const out = join(scratch(), 'store')
    const r = await run('prepare', '--input', sample, '--out', out, '--json')
    expect(r.code).toBe(0)
    const report = JSON.parse(r.out)
    expect(Object.keys(report).sort()).toEqual(['comments', 'dropped', 'examples', 'kept', 'lines', 'malformed', 'sessions'])
    expect(report.lines).toBe(report.comments + report.malformed)
    expect(report.sessions).toBe(report.kept + Object.values<number>(report.dropped).reduce((a, b) => a + b, 0))
    expect(report.malformed).toBe(2) // the sample has two broken lines on purpose
    expect(r.err).toMatch(/prepare: 694 lines/)
    expect((await TokenStore.open(out)).size).toBe(report.examples)
  })

  it('applies a subreddit block-list file, prints a table without --json, and refuses to overwrite', async () => {
    const dir = scratch()
    writeFileSync(join(dir, 'blocked.txt'), '# comment line\ngetrichfast\n')
    const r = await run('prepare', '--input', sample, '--out', join(dir, 's'), '--subreddit-blocklist', join(dir, 'blocked.txt'))
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/dropped: blocked-subreddit\s+1/)
    expect(r.out).toMatch(/reddit-sample\.jsonl:41: invalid JSON/)
    const again = await run('prepare', '--input', sample, '--out', join(dir, 's'))
    expect(again.code).toBe(1)
    expect(again.err).toMatch(/a token store already exists here/)
  })

  it('exits 2 with usage for missing flags', async () => {
    expect((await run('prepare', '--out', 'x')).code).toBe(2)
    expect((await run('prepare', '--input', sample)).err).toMatch(/--out is required/)
  })
})

describeShared('dialogpt prepare on the real Pushshift months', ['data', 'pushshift-reddit-comments-2005-12_2006-01'], () => {
  it('reads both .zst months end to end', async () => {
    const d = sharedPath('data', 'pushshift-reddit-comments-2005-12_2006-01')
    const r = await run('prepare', '--input', join(d, 'RC_2005-12.zst'), join(d, 'RC_2006-01.zst'), '--out', join(scratch(), 's'), '--json')
    expect(r.code).toBe(0)
    const report = JSON.parse(r.out)
    expect(report.lines).toBe(1075 + 3666)
    expect(report.sessions).toBe(report.kept + Object.values<number>(report.dropped).reduce((a, b) => a + b, 0))
  })
})

describe('dialogpt train', () => {
  it('trains from scratch on a JSON dialogues file, writes checkpoints and a summary, and resumes', async () => {
    const dir = scratch()
    const data = join(dir, 'dialogues.json')
    writeFileSync(
      data,
      JSON.stringify([
        ['Hello there, how are you?', 'Fine, thanks. And you?', 'Very well.'],
        ['What are you reading?', 'A book about the sea.'],
        ['Do you like tea?', 'Yes, green tea in the morning.', 'Me too.'],
      ]),
    )
    const out = join(dir, 'run')
    const first = await run('train', '--from-scratch', 'tiny', '--train', data, '--valid', data, '--out', out, '--steps', '2', '--lr', '1e-3', '--schedule', 'constant', '--checkpoint-every', '1', '--eval-every', '1', '--json')
    expect(first.err).not.toMatch(/Error/)
    expect(first.code).toBe(0)
    const summary = JSON.parse(first.out)
    expect(summary).toMatchObject({ reason: 'steps', step: 2, resumedFrom: null })
    expect(summary.checkpoint).toBe(join(out, 'checkpoints', 'step-00000002'))
    expect(existsSync(join(out, 'best', 'model.safetensors'))).toBe(true)
    expect(summary.final).toBe(join(out, 'final'))
    expect(JSON.parse(readFileSync(join(out, 'final', 'config.json'), 'utf8')).torch_dtype).toBe('float32')
    const second = await run('train', '--from-scratch', 'tiny', '--train', data, '--out', out, '--steps', '3', '--lr', '1e-3', '--schedule', 'constant', '--resume', '--save-dtype', 'float16', '--json')
    expect(second.code).toBe(0)
    expect(JSON.parse(second.out)).toMatchObject({ step: 3, resumedFrom: join(out, 'checkpoints', 'step-00000002') })
    // --save-dtype: final/ in float16 (half the bytes of the float32 checkpoint's weights), checkpoints still float32.
    expect(JSON.parse(readFileSync(join(out, 'final', 'config.json'), 'utf8')).torch_dtype).toBe('float16')
    const half = statSync(join(out, 'final', 'model.safetensors')).size
    const full = statSync(join(out, 'checkpoints', 'step-00000003', 'model.safetensors')).size
    expect(Math.abs(half - full / 2)).toBeLessThan(20_000)
    expect((await run('train', '--from-scratch', 'tiny', '--train', data, '--out', out, '--steps', '3', '--save-dtype', 'int4')).err).toMatch(/--save-dtype must be float32, float16, bfloat16/)
    const fresh = await run('train', '--from-scratch', 'tiny', '--train', data, '--out', out, '--steps', '4')
    expect(fresh.code).toBe(2)
    expect(fresh.err).toMatch(/already holds checkpoints of a run: add --resume/)
  })

  it('exits 2 with usage for bad flags', async () => {
    expect((await run('train', '--train', 'x', '--out', 'y', '--steps', '1')).err).toMatch(/exactly one of --model and --from-scratch/)
    expect((await run('train', '--from-scratch', 'tiny', '--train', 'x', '--out', 'y')).err).toMatch(/--steps or --epochs/)
    expect((await run('train', '--from-scratch', 'huge', '--train', 'x', '--out', 'y', '--steps', '1')).code).toBe(2)
    expect((await run('train', '--from-scratch', 'tiny', '--train', '/nonexistent', '--out', 'y', '--steps', '1')).err).toMatch(/no such file/)
  })
})
