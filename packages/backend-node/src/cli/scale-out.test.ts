import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from './main'

const scratch = () => mkdtempSync(join(tmpdir(), 'dialogpt-cli-scale-'))
const sample = resolve(__dirname, '../../../../examples/data/reddit-sample.jsonl')
const files = (d: string) => new Map(readdirSync(d).sort().map((f) => [f, readFileSync(join(d, f))]))

async function run(...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) })
  return { code, out: out.join(''), err: err.join('') }
}

describe('dialogpt prepare --shard and merge-stores', () => {
  it('three shards (phase 1, phase 2, merge) give the store of one process, byte for byte', async () => {
    const dir = scratch()
    const single = await run('prepare', '--input', sample, '--out', join(dir, 'single'), '--json')
    expect(single.code).toBe(0)
    const work = join(dir, 'work')
    for (let i = 0; i < 3; i++) expect((await run('prepare', '--input', sample, '--shard', `${i}/3`, '--work', work, '--json')).code).toBe(0)
    for (let i = 0; i < 3; i++) expect((await run('prepare', '--shard', `${i}/3`, '--work', work, '--finish', '--json')).code).toBe(0)
    const merged = await run('merge-stores', '--work', work, '--out', join(dir, 'merged'), '--json')
    expect(merged.code).toBe(0)
    expect(JSON.parse(merged.out)).toEqual(JSON.parse(single.out))
    expect(files(join(dir, 'merged'))).toEqual(files(join(dir, 'single')))
  })

  it('says what is wrong: usage errors exit 2, a missing shard exits 1 naming it', async () => {
    const dir = scratch()
    expect((await run('prepare', '--input', sample, '--work', dir)).err).toContain('--work and --finish go with --shard I/N')
    expect((await run('prepare', '--input', sample, '--shard', '3/3', '--work', dir)).code).toBe(1)
    expect((await run('prepare', '--input', sample, '--shard', 'two', '--work', dir)).code).toBe(2)
    expect((await run('prepare', '--input', sample, '--shard', '0/2', '--work', dir, '--out', join(dir, 'x'))).code).toBe(2)
    expect((await run('prepare', '--input', sample, '--shard', '0/2', '--work', dir)).code).toBe(0)
    const finish = await run('prepare', '--shard', '0/2', '--work', dir, '--finish')
    expect(finish.code).toBe(1)
    expect(finish.err).toContain('phase 1 of shard 1/2 has not finished')
    expect((await run('merge-stores', '--out', join(dir, 'm'))).code).toBe(2)
    const empty = await run('merge-stores', '--work', scratch(), '--out', join(dir, 'm'))
    expect(empty.code).toBe(1)
    expect(empty.err).toContain('holds no shard directories')
  })
})

describe('dialogpt export-torch and import-torch', () => {
  it('hand a run to PyTorch (data per rank, model, AdamW state) and bring it back for train --resume', async () => {
    const dir = scratch()
    const store = join(dir, 'store')
    expect((await run('prepare', '--input', sample, '--out', store, '--max-length', '48')).code).toBe(0)
    const runDir = join(dir, 'run')
    const trained = await run('train', '--from-scratch', 'tiny', '--train', store, '--steps', '2', '--batch-size', '2', '--out', runDir, '--checkpoint-every', '2', '--json')
    expect(trained.code, trained.err).toBe(0)
    const handoff = join(dir, 'handoff')
    const exported = await run('export-torch', '--run', runDir, '--store', store, '--world-size', '2', '--out', handoff)
    expect(exported.err).toBe('')
    expect(exported.code).toBe(0)
    expect(readdirSync(join(handoff, 'data')).sort()).toEqual(['train-00000-of-00002.jsonl', 'train-00001-of-00002.jsonl'])
    expect(readdirSync(join(handoff, 'model')).sort()).toEqual(['config.json', 'model.safetensors'])
    const manifest = JSON.parse(readFileSync(join(handoff, 'handoff.json'), 'utf8'))
    expect(manifest.checkpoint.step).toBe(2)
    expect(manifest.data.files.reduce((a: number, f: { examples: number }) => a + f.examples, 0)).toBe(manifest.data.examples)
    const back = join(dir, 'back')
    const imported = await run('import-torch', '--model', join(handoff, 'model'), '--optimizer', join(handoff, 'optimizer.pt'), '--out', back)
    expect(imported.code, imported.err).toBe(0)
    // The moments themselves are compared in core's torch-handoff test; here: the same bytes of optimizer state.
    const moments = (d: string) => readFileSync(join(d, 'checkpoints', 'step-00000002', 'optimizer.safetensors'))
    expect(moments(back).equals(moments(runDir))).toBe(true)
    const resumed = await run('train', '--resume', '--model', join(handoff, 'model'), '--train', store, '--steps', '3', '--batch-size', '2', '--out', back, '--json')
    expect(resumed.code, resumed.err).toBe(0)
    expect(JSON.parse(resumed.out).step).toBe(3)
    expect(existsSync(join(back, 'checkpoints', 'step-00000003'))).toBe(true)
    expect((await run('export-torch', '--out', join(dir, 'nothing'))).code).toBe(2)
  })
})
