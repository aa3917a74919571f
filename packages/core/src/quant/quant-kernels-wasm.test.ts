import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'

// The kernels' module is committed as base64 (so source runs and bundles need no compiler); this
// compiles assembly/quant-kernels.ts with AssemblyScript from the registry, as CI does, and
// requires the committed module to be exactly what the source compiles to.
it('the committed quant-kernels modules are what assembly/quant-kernels.ts compiles to', async () => {
  const root = join(__dirname, '..', '..', '..', '..')
  const script = (await import(join(root, 'scripts', 'build-quant-kernels.mjs'))) as { compileQuantKernels(): { own: Buffer; shared: Buffer }; moduleSource(modules: { own: Buffer; shared: Buffer }): string }
  const committed = readFileSync(join(__dirname, 'quant-kernels-wasm.ts'), 'utf8')
  expect(committed).toBe(script.moduleSource(script.compileQuantKernels()))
}, 60_000)
