import { writeSafetensors } from '../checkpoint/safetensors'
import type { GPT2 } from './gpt2'
import { withPath } from '../io/file-error'

/**
 * Writes `config.json` and `model.safetensors` (float32, Hugging Face names, tied head left out
 * as `save_pretrained` does) into `dir`, a directory that Hugging Face `transformers` loads with
 * `GPT2LMHeadModel.from_pretrained(dir)` and `fromPretrained` reads back bit for bit. Each file
 * is written to a temporary name and renamed, so an interrupted save never leaves a half file.
 */
export async function saveGPT2(model: GPT2, dir: string, extraFiles: Record<string, unknown> = {}): Promise<void> {
  const { mkdir, rename, rm, writeFile } = await import('node:fs/promises')
  const { join } = await import('node:path')
  await mkdir(dir, { recursive: true })
  const put = async (name: string, data: string | Uint8Array) => {
    const temp = join(dir, `.${name}.${process.pid}.tmp`)
    try {
      await writeFile(temp, data)
    } catch (error) {
      await rm(temp, { force: true })
      throw withPath(error, join(dir, name))
    }
    await rename(temp, join(dir, name))
  }
  const config = huggingFaceConfig(model)
  await put('model.safetensors', writeSafetensors(await model.weights()))
  for (const [name, value] of Object.entries(extraFiles)) await put(name, `${JSON.stringify(value, null, 2)}\n`)
  await put('config.json', `${JSON.stringify(config, null, 2)}\n`)
}

/** The `config.json` that Hugging Face transformers expects for `model` (float32, GPT2LMHeadModel). */
export function huggingFaceConfig(model: GPT2): Record<string, unknown> {
  return { architectures: ['GPT2LMHeadModel'], ...model.config, n_ctx: model.config.n_positions, torch_dtype: 'float32' }
}
