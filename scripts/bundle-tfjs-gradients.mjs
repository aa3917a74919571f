// Bundles tfjs-core's gradient registrations into packages/core/generated/register-gradients.js.
//
// tfjs-core's Node entry registers no gradients, and its `register_all_gradients` ES module cannot
// be imported by Node directly (extensionless relative imports). Bundled, it registers every
// gradient in tfjs's global registry, which all copies of tfjs-core share. The output is
// generated at build/test time from the installed tfjs-core and is not committed.
import { build } from 'esbuild'
import { mkdirSync, writeFileSync, existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = join(root, 'packages', 'core', 'generated')
const outFile = join(outDir, 'register-gradients.js')
const require = createRequire(join(root, 'packages', 'core', 'package.json'))
const entry = join(dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist', 'register_all_gradients.js')

if (existsSync(outFile) && statSync(outFile).mtimeMs > statSync(entry).mtimeMs && !process.argv.includes('--force')) process.exit(0)
mkdirSync(outDir, { recursive: true })
await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', outfile: outFile, logLevel: 'warning', legalComments: 'inline' })
writeFileSync(join(outDir, 'register-gradients.d.ts'), 'export {}\n')
console.log(`bundled tfjs-core gradients into ${outFile}`)
