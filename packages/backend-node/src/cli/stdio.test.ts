import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const bin = join(__dirname, '..', 'bin', 'dialogpt.ts')

/** Runs the `dialogpt` command from source with its standard output sent to `/dev/full`. */
function runToFullDisk(args: string[]) {
  const full = openSync('/dev/full', 'w')
  try {
    return spawnSync(process.execPath, ['--conditions=@dialogpt/source', '--import', 'tsx', bin, ...args], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' })
  } finally {
    closeSync(full)
  }
}

describe.runIf(existsSync('/dev/full'))('dialogpt with an unwritable standard output', () => {
  it('backend > /dev/full: one clean line and exit 1', () => {
    const r = runToFullDisk(['backend'])
    expect(r.status).toBe(1)
    expect(r.stderr.trim()).toBe('dialogpt: cannot write to standard output: ENOSPC: no space left on device')
  })

  it('prepare --json > /dev/full: one clean line and exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stdio-'))
    const input = join(dir, 'd.json')
    writeFileSync(input, JSON.stringify([['hello there friend', 'hi, how are you today?']]))
    const r = runToFullDisk(['prepare', '--input', input, '--out', join(dir, 'store'), '--json'])
    expect(r.status).toBe(1)
    const lines = r.stderr.trim().split('\n')
    expect(lines.at(-1)).toBe('dialogpt: cannot write to standard output: ENOSPC: no space left on device')
    expect(lines.filter((l) => /^\s+at /.test(l))).toEqual([]) // no stack trace
  })
})
