// Model load benchmark at the 124M shape (random weights), on wasm: `loadGPT2` of a
// local folder holding `model.safetensors` (fp32) and of one holding a legacy fp16
// `pytorch_model.bin` (the format of the original DialoGPT uploads). Baseline in the same process:
// reading the same file's bytes (`readFile`), the floor any loader pays. Files are written first,
// so they are read from the page cache ("local disk", warm).
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { disposeCache, gpt2Config, loadGPT2, writeSafetensors } from '@dialogpt/core'
import { measure, printTable, round, writeResult, type Timing } from './lib'
import { setBackend } from './model-shapes'
import { randomWeights } from './random-weights'
import { writeLegacyFp16 } from './torch-legacy-writer'

export const name = 'load'

export async function run(): Promise<Record<string, unknown>> {
  await setBackend('wasm')
  const config = gpt2Config('small')
  const dir = mkdtempSync(join(tmpdir(), 'dialogpt-load-bench-'))
  try {
    const weights = randomWeights(config)
    const configJson = JSON.stringify(config)
    const st = join(dir, 'safetensors')
    const bin = join(dir, 'legacy-fp16')
    mkdirSync(st)
    mkdirSync(bin)
    writeFileSync(join(st, 'config.json'), configJson)
    writeFileSync(join(st, 'model.safetensors'), writeSafetensors(weights))
    writeFileSync(join(bin, 'config.json'), configJson)
    writeLegacyFp16(join(bin, 'pytorch_model.bin'), weights)
    weights.clear()

    const results: Record<string, Timing & { fileMiB?: number; overReadFile?: number }> = {}
    const rows: Record<string, string | number>[] = []
    for (const [what, folder, file] of [
      ['safetensors fp32', st, 'model.safetensors'],
      ['legacy .bin fp16', bin, 'pytorch_model.bin'],
    ] as const) {
      console.log(`running: load ${what}`)
      const read = await measure(async () => (await readFile(join(folder, file))).length, 5, 1)
      const load = await measure(
        async () => {
          const model = await loadGPT2(folder)
          model.dispose()
        },
        5,
        1,
      )
      // Load plus the first decode step, which is when XNNPACK packs each weight matrix.
      const firstToken = await measure(
        async () => {
          const model = await loadGPT2(folder)
          const { logits, cache } = model.forward([[464]], { lastOnly: true })
          await logits.data()
          logits.dispose()
          disposeCache(cache)
          model.dispose()
        },
        5,
        0,
      )
      const size = statSync(join(folder, file)).size
      results[what] = { ...load, fileMiB: round(size / 2 ** 20, 0), overReadFile: round(load.medianMs / read.medianMs) }
      results[`${what}: readFile`] = read
      results[`${what}: load + first token`] = firstToken
      rows.push({ what: `load ${what} (${round(size / 2 ** 20, 0)} MiB)`, 'median ms': load.medianMs, 'min ms': load.minMs, 'max ms': load.maxMs, 'x readFile': round(load.medianMs / read.medianMs) })
      rows.push({ what: `  baseline: readFile`, 'median ms': read.medianMs, 'min ms': read.minMs, 'max ms': read.maxMs, 'x readFile': 1 })
      rows.push({ what: `  load + first token (XNNPACK packs the weights)`, 'median ms': firstToken.medianMs, 'min ms': firstToken.minMs, 'max ms': firstToken.maxMs, 'x readFile': round(firstToken.medianMs / read.medianMs) })
    }
    printTable('model load, GPT-2 124M shape from local disk (page cache warm), wasm, 5 runs after 1 warm-up', rows)
    if (tf.memory().numTensors !== 0) console.warn(`${tf.memory().numTensors} tensors left after the benchmark`)
    const result = { model: 'GPT-2 124M shape (12 x 768), random weights', backend: 'wasm', results }
    console.log(`wrote ${writeResult(name, result)}`)
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
