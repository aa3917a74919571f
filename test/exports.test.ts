import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * Imports every package's *built* output from a plain Node process, as ESM and as CJS,
 * the way a user's project would: through `node_modules/@dialogpt/<name>` and the
 * package's `exports` map. A broken map, a missing file or a CJS/ESM mismatch fails here.
 */
const root = resolve(__dirname, '..')
const packages = ['core', 'data', 'decode', 'metrics', 'serve', 'backend-node', 'backend-web']

// A scratch project whose node_modules links the workspace packages, as npm would install them.
const project = mkdtempSync(join(tmpdir(), 'dialogpt-exports-'))
mkdirSync(join(project, 'node_modules', '@dialogpt'), { recursive: true })
for (const name of packages) symlinkSync(join(root, 'packages', name), join(project, 'node_modules', '@dialogpt', name), 'dir')

function exportedNames(spec: string, mode: 'esm' | 'cjs'): string[] {
  const script =
    mode === 'esm'
      ? `const m = await import(${JSON.stringify(spec)}); console.log(JSON.stringify(Object.keys(m).filter(k => k !== 'default' && m[k] !== undefined).sort()))`
      : `const m = require(${JSON.stringify(spec)}); console.log(JSON.stringify(Object.keys(m).filter(k => k !== '__esModule' && m[k] !== undefined).sort()))`
  const out = execFileSync(process.execPath, mode === 'esm' ? ['--input-type=module', '-e', script] : ['--input-type=commonjs', '-e', script], {
    cwd: project,
    encoding: 'utf8',
  })
  return JSON.parse(out.trim().split('\n').pop()!) as string[]
}

describe.each(packages)('@dialogpt/%s built output', (name) => {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'))

  const subpaths = Object.keys(pkg.exports).filter((k) => k !== './package.json')

  it.each(subpaths)('has every file its exports map names for %s', (subpath) => {
    const entry = pkg.exports[subpath]
    for (const target of [entry.import.types, entry.import.default, entry.require.types, entry.require.default]) {
      expect(existsSync(join(root, 'packages', name, target)), `${name}: ${target} (run pnpm build)`).toBe(true)
    }
  })

  it.each(subpaths)('imports %s as ESM and requires it as CJS with the same public names', (subpath) => {
    const spec = `@dialogpt/${name}${subpath.slice(1)}`
    const esm = exportedNames(spec, 'esm')
    const cjs = exportedNames(spec, 'cjs')
    expect(cjs).toEqual(esm)
  })

  it.each(Object.entries<string>(pkg.bin ?? {}))('ships a runnable %s command', (command, target) => {
    const out = execFileSync(process.execPath, [join(root, 'packages', name, target), '--help'], { encoding: 'utf8' })
    expect(out, command).toMatch(/Usage:/)
  })
})
