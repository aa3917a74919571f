import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadGPT2WithFiles, saveGPT2 } from '@dialogpt/core'
import { flagTable, MODEL_SOURCE_FLAGS, oneOf, UsageError, type CliIo } from './io'

export const QUANTIZE_USAGE = `Usage: dialogpt quantize --model DIR_OR_REPO --dtype q8|f16 --out DIR [--overwrite] [--json]

Writes the model with its weight matrices in 8 bits (q8: int8 values, one float16 scale per block
of 32) or 16 bits (f16), as safetensors with config.json (and generation_config.json when the model
has one). A q8 checkpoint loads as q8 without quantizing again; an f16 one is a plain
half-precision checkpoint that other tools read too. Biases, LayerNorms and position embeddings
stay float32. Use it with 'dialogpt chat --model DIR' (or --dtype to choose at load time).

  --model DIR_OR_REPO   a local directory, weight file, or Hub repository id (any format)
  --revision REV        --cache-dir DIR    --local-files-only
  --dtype q8|f16        the stored dtype
  --out DIR             where to write; refuses a directory holding a model unless --overwrite
  --json                print what was written as JSON
`

const FLAGS = flagTable([...MODEL_SOURCE_FLAGS, 'dtype', 'out'] as const, ['local-files-only', 'overwrite', 'json'] as const)

/** `dialogpt quantize`. Returns the exit status. */
export async function quantizeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: FLAGS, allowPositionals: false })
  if (values.help) {
    io.stdout(QUANTIZE_USAGE)
    return 0
  }
  if (!values.model) throw new UsageError('--model is required')
  if (!values.out) throw new UsageError('--out is required')
  const dtype = oneOf(values.dtype, 'dtype', ['q8', 'f16'] as const)
  if (!dtype) throw new UsageError('--dtype is required (q8 or f16)')
  const target = join(values.out, 'model.safetensors')
  if (existsSync(target) && !values.overwrite) throw new UsageError(`${values.out} already holds a model; pass --overwrite to replace it`)
  const started = Date.now()
  const loaded = await loadGPT2WithFiles(values.model, { revision: values.revision, cacheDir: values['cache-dir'], localFilesOnly: values['local-files-only'], dtype })
  try {
    const extraFiles = loaded.files.generationConfig ? { 'generation_config.json': loaded.files.generationConfig } : {}
    await saveGPT2(loaded.model, values.out, { extraFiles })
    const written = { source: values.model, out: values.out, dtype, parameters: loaded.model.numParameters, weightBytes: loaded.model.weightBytes, fileBytes: statSync(target).size, seconds: (Date.now() - started) / 1000 }
    if (values.json) io.stdout(`${JSON.stringify(written)}\n`)
    else
      io.stdout(
        `${values.model} → ${values.out}: ${(written.parameters / 1e6).toFixed(1)}M parameters as ${dtype}, ` +
          `${(written.fileBytes / 2 ** 20).toFixed(1)} MiB on disk, ${(written.weightBytes / 2 ** 20).toFixed(1)} MiB in memory, in ${written.seconds.toFixed(1)} s\n`,
      )
    return 0
  } finally {
    loaded.model.dispose()
  }
}
