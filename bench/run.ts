// `pnpm bench [name ...]`: runs the benchmarks (all, or those named) and writes bench/results/*.json.
import * as browserDecode from './browser-decode.bench'
import * as data from './data.bench'
import * as decode from './decode.bench'
import * as forward from './forward.bench'
import * as humanEval from './human-eval.bench'
import * as load from './load.bench'
import * as memory from './memory.bench'
import * as mediumResume from './medium-resume.bench'
import * as metrics from './metrics.bench'
import * as readers from './readers.bench'
import * as quant from './quant.bench'
import * as serve from './serve.bench'
import * as sizes from './sizes.bench'
import * as train from './train.bench'

interface Bench {
  name: string
  run: () => Promise<Record<string, unknown> | undefined>
}

// sizes reports the wasm heap, which only grows within a process: it runs before the other wasm benchmarks.
// medium-resume takes ~10 minutes (355M on the cpu backend): it runs only when named.
const all: Bench[] = [metrics, humanEval, readers, data, sizes, load, memory, forward, decode, quant, browserDecode, train, serve, mediumResume]
const optIn = new Set(['medium-resume'])
const wanted = process.argv.slice(2)
const chosen = wanted.length ? all.filter((b) => wanted.includes(b.name)) : all.filter((b) => !optIn.has(b.name))
if (wanted.length && chosen.length !== wanted.length) {
  console.error(`unknown benchmark in ${wanted.join(', ')}; available: ${all.map((b) => b.name).join(', ')}`)
  process.exit(2)
}
for (const bench of chosen) await bench.run()
