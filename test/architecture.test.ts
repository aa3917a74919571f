import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The architecture's rules, checked on the sources (an equivalent of `madge --circular`, plus the
 * rules madge cannot state): no import cycles; the packages depend on each other only down the
 * layers metrics ← data ← decode ← core ← serve ← backend-node; core ← backend-web; no dynamic `import()` in
 * core; the browser-safe entries reach no `node:` module; the model never asks for the backend.
 * Type-only imports are left out: they vanish at run time.
 */

const root = resolve(__dirname, '..')
const packagesDir = join(root, 'packages')
const packages = readdirSync(packagesDir).filter((p) => existsSync(join(packagesDir, p, 'package.json')))

/** What each package may import, by layer. */
const allowed: Record<string, string[]> = {
  metrics: [],
  data: ['metrics'],
  decode: ['data'],
  core: ['data', 'decode'],
  serve: ['core', 'decode'],
  'backend-node': ['core', 'data', 'decode', 'metrics', 'serve'],
  'backend-web': ['core', 'data', 'decode'],
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : []
  })
}

/** `@dialogpt/<pkg>[/sub]` → its source entry, from the package's exports (`@dialogpt/source` condition). */
function workspaceEntry(specifier: string): string | undefined {
  const m = /^@dialogpt\/([\w-]+)(\/[\w-]+)?$/.exec(specifier)
  if (!m) return undefined
  const manifest = JSON.parse(readFileSync(join(packagesDir, m[1]!, 'package.json'), 'utf8')) as { exports: Record<string, { '@dialogpt/source'?: string }> }
  const source = manifest.exports[`.${m[2] ?? ''}`]?.['@dialogpt/source']
  return source ? join(packagesDir, m[1]!, source) : undefined
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier)
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  return undefined
}

/** The runtime imports of a file: `import … from`, `import '…'`, `export … from` (not `import type` / `export type`). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out: string[] = []
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]/gm
  for (const m of text.matchAll(re)) if (!m[2]) out.push(m[3]!)
  return out
}

const files = packages.flatMap((p) => sources(join(packagesDir, p, 'src')))
const graph = new Map<string, string[]>()
for (const file of files) {
  graph.set(
    file,
    runtimeImports(file)
      .map((s) => (s.startsWith('.') ? resolveRelative(file, s) : (workspaceEntry(s) ?? s)))
      .filter((x): x is string => x !== undefined),
  )
}
const packageOf = (file: string) => relative(packagesDir, file).split('/')[0]!

describe('architecture', () => {
  it('has no import cycles (type-only imports excepted)', () => {
    // Tarjan's strongly connected components: any component of more than one file is a cycle.
    let index = 0
    const stack: string[] = []
    const meta = new Map<string, { index: number; low: number; onStack: boolean }>()
    const cycles: string[][] = []
    const visit = (v: string) => {
      meta.set(v, { index, low: index, onStack: true })
      index++
      stack.push(v)
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue
        if (!meta.has(w)) {
          visit(w)
          meta.get(v)!.low = Math.min(meta.get(v)!.low, meta.get(w)!.low)
        } else if (meta.get(w)!.onStack) meta.get(v)!.low = Math.min(meta.get(v)!.low, meta.get(w)!.index)
      }
      if (meta.get(v)!.low === meta.get(v)!.index) {
        const component: string[] = []
        let w: string
        do {
          w = stack.pop()!
          meta.get(w)!.onStack = false
          component.push(relative(root, w))
        } while (w !== v)
        if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component)
      }
    }
    for (const v of graph.keys()) if (!meta.has(v)) visit(v)
    expect(cycles).toEqual([])
  })

  it('packages import each other only down the layers metrics ← data ← decode ← core ← backends', () => {
    const wrong: string[] = []
    for (const [file, imports] of graph) {
      const from = packageOf(file)
      for (const target of imports) {
        if (!target.startsWith(packagesDir)) continue
        const to = packageOf(target)
        if (to !== from && !allowed[from]!.includes(to)) wrong.push(`${relative(root, file)} → ${relative(root, target)}`)
      }
    }
    expect(wrong).toEqual([])
  })

  it('core has no dynamic import()', () => {
    const dynamic = files.filter((f) => packageOf(f) === 'core' && /\bimport\(/.test(readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')))
    expect(dynamic.map((f) => relative(root, f))).toEqual([])
  })

  it.each(['core', 'data', 'decode', 'metrics', 'backend-web'])('the browser-safe entry of %s reaches no node: module', (pkg) => {
    const entry = join(packagesDir, pkg, 'src', 'index.ts')
    const seen = new Set<string>()
    const nodeImports: string[] = []
    const walk = (file: string, path: string[]) => {
      if (seen.has(file)) return
      seen.add(file)
      for (const target of graph.get(file) ?? []) {
        if (target.startsWith('node:')) nodeImports.push([...path, relative(root, file), target].join(' → '))
        else if (graph.has(target)) walk(target, [...path, relative(root, file)])
      }
    }
    walk(entry, [])
    expect(nodeImports).toEqual([])
  })

  it('the model never asks which backend it runs on', () => {
    for (const file of ['core/src/model/gpt2.ts', 'core/src/model/ops.ts', 'core/src/model/causal-lm.ts']) {
      const text = readFileSync(join(packagesDir, file), 'utf8')
      expect(text, file).not.toMatch(/getBackend\(|'wasm'|'webgl'|'webgpu'|gradientDepth|dataId/)
    }
  })
})
