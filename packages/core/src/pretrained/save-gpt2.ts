import { safetensorsPieces } from '../checkpoint/safetensors'
import { defaultStorage, writePieces, type Storage } from '../io/storage'
import type { GPT2 } from '../model/gpt2'
import { QUANTIZATION_METADATA_KEY, quantizedTensors } from '../quant/quantized-state-dict'

/** How {@link saveGPT2} stores the weights. */
export type SaveDtype = 'float32' | 'float16' | 'bfloat16'

const SAFETENSORS_TYPE = { float32: 'F32', float16: 'F16', bfloat16: 'BF16' } as const

export interface SaveOptions {
  /**
   * `'float32'` (default), `'float16'` or `'bfloat16'`: half the size, stored as safetensors F16 /
   * BF16 with `torch_dtype` set to match in `config.json`, which is how Hugging Face saves a
   * half-precision model (`from_pretrained` reads it as such). Values are rounded to nearest-even.
   */
  dtype?: SaveDtype
  /** Extra JSON files to write beside the model (name → value). */
  extraFiles?: Record<string, unknown>
  /** Default: the default storage. */
  storage?: Storage
}

/**
 * Writes `config.json` and `model.safetensors` (float32 unless `options.dtype` says otherwise, Hugging Face names, tied head left out
 * as `save_pretrained` does) into `dir`: a directory that Hugging Face `transformers` loads with
 * `GPT2LMHeadModel.from_pretrained(dir)` and {@link loadGPT2} reads back bit for bit. Each file is
 * written to a temporary name and renamed, so an interrupted save never leaves a half file.
 */
export async function saveGPT2(model: GPT2, dir: string, options: SaveOptions = {}): Promise<void> {
  const storage = options.storage ?? defaultStorage()
  await storage.makeDir(dir)
  const tag = storage.ownerTag()
  const put = async (name: string, data: string | Iterable<Uint8Array>) => {
    const temp = storage.join(dir, `.${name}.${tag}.tmp`)
    try {
      if (typeof data === 'string') await storage.writeFile(temp, data)
      else await writePieces(storage, temp, data)
    } catch (error) {
      await storage.remove(temp)
      throw error
    }
    await storage.rename(temp, storage.join(dir, name))
  }
  const dtype = options.dtype ?? 'float32'
  if (!(dtype in SAFETENSORS_TYPE)) throw new RangeError(`saveGPT2: dtype must be float32, float16 or bfloat16, got '${String(dtype)}'`)
  if (model.dtype !== 'fp32' && options.dtype !== undefined) throw new RangeError(`saveGPT2: this model holds ${model.dtype} weights and is saved as they are; options.dtype (${dtype}) applies to fp32 models`)
  if (model.dtype === 'q8')
    // format 'dialogpt-q8': transformers refuses a safetensors file whose format is not one of its
    // own ('pt', 'tf', 'flax', 'mlx') rather than load a model with its matrices missing.
    await put('model.safetensors', safetensorsPieces(quantizedTensors(await model.floatWeights(), model.quantizedMatrices()), { metadata: { format: 'dialogpt-q8', [QUANTIZATION_METADATA_KEY]: 'q8' } }))
  else if (model.dtype === 'f16') await put('model.safetensors', safetensorsPieces(quantizedTensors(await model.floatWeights(), model.quantizedMatrices()), { metadata: { [QUANTIZATION_METADATA_KEY]: 'f16' } }))
  else await put('model.safetensors', safetensorsPieces(await model.weights(), { dtype: SAFETENSORS_TYPE[dtype] }))
  for (const [name, value] of Object.entries(options.extraFiles ?? {})) await put(name, `${JSON.stringify(value, null, 2)}\n`)
  await put('config.json', `${JSON.stringify(huggingFaceConfig(model, model.dtype === 'f16' ? 'float16' : dtype), null, 2)}\n`)
}

/** The `config.json` that Hugging Face transformers expects for `model` (GPT2LMHeadModel, stored as `dtype`). */
export function huggingFaceConfig(model: GPT2, dtype: SaveDtype = 'float32'): Record<string, unknown> {
  const quantization = model.dtype === 'fp32' ? {} : { [QUANTIZATION_METADATA_KEY]: model.dtype }
  return { architectures: ['GPT2LMHeadModel'], ...model.config, n_ctx: model.config.n_positions, torch_dtype: dtype, ...quantization }
}
