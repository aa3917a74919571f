import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { expect, it } from 'vitest'
import { prepareStore } from '@dialogpt/data/node'
import { describeShared, sharedPath } from './shared'

/**
 * examples/scale-out/prepare-local.sh (the xargs -P example of sharded preparation) run with two
 * worker processes on the real Pushshift months: its store equals one process's, byte for byte.
 */
const root = resolve(__dirname, '..')

describeShared('examples/scale-out/prepare-local.sh', ['data', 'pushshift-reddit-comments-2005-12_2006-01'], () => {
  it('two workers through xargs -P, then merge-stores, give the single-process store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialogpt-scale-out-'))
    const data = sharedPath('data', 'pushshift-reddit-comments-2005-12_2006-01')
    const inputs = [join(data, 'RC_2005-12.zst'), join(data, 'RC_2006-01.zst')]
    const dialogpt = `${process.execPath} --conditions=@dialogpt/source --import tsx ${join(root, 'packages', 'backend-node', 'src', 'bin', 'dialogpt.ts')}`
    const run = spawnSync('bash', [join(root, 'examples', 'scale-out', 'prepare-local.sh'), '2', join(dir, 'work'), join(dir, 'sharded'), ...inputs, '--max-length', '96'], {
      cwd: root,
      env: { ...process.env, DIALOGPT: dialogpt },
      encoding: 'utf8',
    })
    expect(run.stderr).not.toMatch(/Error/)
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/examples from .* merged into/)
    await prepareStore({ inputs, out: join(dir, 'single'), maxLength: 96 })
    const files = (d: string) => new Map(readdirSync(d).sort().map((f) => [f, readFileSync(join(d, f))]))
    expect(files(join(dir, 'sharded'))).toEqual(files(join(dir, 'single')))
  })
})
