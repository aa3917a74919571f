import { writeSafetensors } from '../checkpoint/safetensors'
import { defaultStorage, type Storage } from '../io/storage'
import type { GPT2 } from '../model/gpt2'

export interface SaveOptions {
  /** Extra JSON files to write beside the model (name → value). */
  extraFiles?: Record<string, unknown>
  /** Default: the default storage. */
  storage?: Storage
}

/**
 * Writes `config.json` and `model.safetensors` (float32, Hugging Face names, tied head left out
 * as `save_pretrained` does) into `dir`: a directory that Hugging Face `transformers` loads with
 * `GPT2LMHeadModel.from_pretrained(dir)` and {@link loadGPT2} reads back bit for bit. Each file is
 * written to a temporary name and renamed, so an interrupted save never leaves a half file.
 */
export async function saveGPT2(model: GPT2, dir: string, options: SaveOptions = {}): Promise<void> {
  const storage = options.storage ?? defaultStorage()
  await storage.makeDir(dir)
  const tag = storage.ownerTag()
  const put = async (name: string, data: string | Uint8Array) => {
    const temp = storage.join(dir, `.${name}.${tag}.tmp`)
    try {
      await storage.writeFile(temp, data)
    } catch (error) {
      await storage.remove(temp)
      throw error
    }
    await storage.rename(temp, storage.join(dir, name))
  }
  await put('model.safetensors', writeSafetensors(await model.weights()))
  for (const [name, value] of Object.entries(options.extraFiles ?? {})) await put(name, `${JSON.stringify(value, null, 2)}\n`)
  await put('config.json', `${JSON.stringify(huggingFaceConfig(model), null, 2)}\n`)
}

/** The `config.json` that Hugging Face transformers expects for `model` (float32, GPT2LMHeadModel). */
export function huggingFaceConfig(model: GPT2): Record<string, unknown> {
  return { architectures: ['GPT2LMHeadModel'], ...model.config, n_ctx: model.config.n_positions, torch_dtype: 'float32' }
}
