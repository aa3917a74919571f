import { CheckpointError } from '../checkpoint/errors'
import { readStateDict } from '../checkpoint/read-state-dict'
import type { StateDict } from '../checkpoint/tensor-data'
import type { HubOptions } from '../io/hub-options'
import { defaultStorage, withSource, type ResolvedModelFiles, type Storage } from '../io/storage'
import { ConfigError, type GPT2Config } from '../model/config'
import type { WeightDType } from '../quant/quantized-state-dict'

/** Options for loading a pretrained model: the Hub download settings and the storage to read with. */
export interface FromPretrainedOptions extends HubOptions {
  /** Default: the default storage (`@dialogpt/core/node`'s file system in Node). */
  storage?: Storage
  /**
   * How to hold the weight matrices: `'fp32'`, `'f16'` or `'q8'` (8-bit blocks: a quarter of the
   * memory, see `QuantizedMatrix`). A float checkpoint is quantized as it loads; a quantized one
   * (written by `saveGPT2` or `dialogpt quantize`) loads as it is stored. Default: what the
   * checkpoint holds (`fp32` for a float one).
   */
  dtype?: WeightDType
}

/** `config.json` and `generation_config.json` larger than this are refused. */
const MAX_JSON_BYTES = 16 * 2 ** 20

/** What a pretrained source holds: its parsed tensors and `config.json` / `generation_config.json` when present. */
export interface PretrainedFiles {
  stateDict: StateDict
  config?: Partial<GPT2Config>
  generationConfig?: Record<string, unknown>
  /** Where each came from. */
  files: ResolvedModelFiles
}

/**
 * Finds and reads a model: a local directory, a weight file, or a Hub repository id (see the
 * storage's `resolveModel`; in Node, downloaded into the Hugging Face cache). Errors name the file:
 * a `CheckpointError` for the weights, a `ConfigError` for a config that is not valid JSON, not an
 * object, or larger than any config.
 */
export async function readPretrained(source: string, options: FromPretrainedOptions = {}): Promise<PretrainedFiles> {
  const storage = options.storage ?? defaultStorage()
  const files: ResolvedModelFiles = storage.resolveModel ? await storage.resolveModel(source, options) : await resolveWithoutHub(storage, source)
  const json = async (path: string | undefined) => {
    if (!path) return undefined
    const size = (await storage.stat(path))?.size
    if (size === undefined) return undefined
    if (size > MAX_JSON_BYTES) throw new ConfigError(`${path}: ${size} bytes, larger than any config (limit ${MAX_JSON_BYTES / 2 ** 20} MiB)`, undefined, path)
    try {
      return JSON.parse(new TextDecoder().decode(await storage.readFile(path))) as Record<string, unknown>
    } catch {
      throw new ConfigError(`${path}: not valid JSON`, undefined, path)
    }
  }
  let stateDict: StateDict
  try {
    stateDict = await withSource(storage, files.weights, readStateDict)
  } catch (error) {
    throw error instanceof CheckpointError ? error.withFile(files.weights) : error
  }
  return { stateDict, config: (await json(files.config)) as Partial<GPT2Config> | undefined, generationConfig: await json(files.generationConfig), files }
}

/** A directory or a weight file, for storages that cannot reach a hub. */
async function resolveWithoutHub(storage: Storage, source: string): Promise<ResolvedModelFiles> {
  const found = await storage.stat(source)
  if (!found) throw new CheckpointError('missing-record', `${source}: no such file or directory (this storage reads local models only)`, { file: source })
  const dir = found.isDirectory ? source : source.slice(0, Math.max(0, source.lastIndexOf('/')))
  const sibling = async (name: string) => ((await storage.stat(storage.join(dir, name))) ? storage.join(dir, name) : undefined)
  let weights = found.isDirectory ? undefined : source
  for (const name of ['model.safetensors', 'pytorch_model.bin']) if (!weights) weights = await sibling(name)
  if (!weights) throw new CheckpointError('missing-record', `${source}: no model.safetensors or pytorch_model.bin in this directory`, { file: source })
  const config = await sibling('config.json')
  const generationConfig = await sibling('generation_config.json')
  return { weights, ...(config ? { config } : {}), ...(generationConfig ? { generationConfig } : {}) }
}
