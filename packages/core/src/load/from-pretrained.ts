import { CheckpointError } from '../checkpoint/errors'
import { readStateDict } from '../checkpoint/load-state-dict'
import { asBytes, type StateDict } from '../checkpoint/tensor-data'
import { defaultHubCacheDir } from '../hub/cache-layout'
import { HubError } from '../hub/errors'
import { checkRepoId } from '../hub/names'
import { hubFile, type HubOptions } from '../hub/download'
import { ConfigError, type GPT2Config } from '../model/config'

/** Options for `fromPretrained`: where to look, and the Hub download settings. */
export type FromPretrainedOptions = HubOptions

/** `config.json` and `generation_config.json` larger than this are refused. */
const MAX_JSON_BYTES = 16 * 2 ** 20

/** Weight files tried, in order. */
export const WEIGHT_FILES = ['model.safetensors', 'pytorch_model.bin'] as const

/** What a pretrained source holds: its parsed tensors and `config.json` / `generation_config.json` when present. */
export interface PretrainedFiles {
  stateDict: StateDict
  config?: Partial<GPT2Config>
  generationConfig?: Record<string, unknown>
  /** The weight file's path. */
  weightsPath: string
  /** The `config.json` read, if any. */
  configPath?: string
}

/**
 * Finds and reads a model: a local directory (`config.json` + `model.safetensors` or
 * `pytorch_model.bin`), a local weight file, or a Hub repository id (`microsoft/DialoGPT-small`),
 * downloaded into the Hugging Face cache (safetensors first, then `pytorch_model.bin`).
 */
export async function readPretrained(source: string, options: FromPretrainedOptions = {}): Promise<PretrainedFiles> {
  const { readFile, stat } = await import('node:fs/promises')
  const { dirname, join } = await import('node:path')
  const json = async (path: string | null | undefined) => {
    if (!path) return undefined
    const size = (await stat(path).catch(() => undefined))?.size
    if (size === undefined) return undefined
    // A config is a few kilobytes; a huge one is read no further (it would be read whole).
    if (size > MAX_JSON_BYTES) throw new ConfigError(`${path}: ${size} bytes, larger than any config (limit ${MAX_JSON_BYTES / 2 ** 20} MiB)`, undefined, path)
    const text = await readFile(path, 'utf8').catch(() => undefined)
    if (text === undefined) return undefined
    try {
      return JSON.parse(text) as Record<string, unknown>
    } catch {
      throw new ConfigError(`${path}: not valid JSON`, undefined, path)
    }
  }
  const load = async (weightsPath: string, configPath?: string | null, generationPath?: string | null): Promise<PretrainedFiles> => {
    const bytes = asBytes(await readFile(weightsPath))
    let stateDict: StateDict
    try {
      stateDict = readStateDict(bytes)
    } catch (error) {
      throw error instanceof CheckpointError ? error.withFile(weightsPath) : error
    }
    const config = (await json(configPath)) as Partial<GPT2Config> | undefined
    return { stateDict, config, generationConfig: await json(generationPath), weightsPath, ...(config !== undefined && configPath ? { configPath } : {}) }
  }

  const local = await stat(source).catch(() => undefined)
  if (local?.isDirectory()) {
    for (const name of WEIGHT_FILES) {
      const path = join(source, name)
      if (await stat(path).catch(() => undefined)) return load(path, join(source, 'config.json'), join(source, 'generation_config.json'))
    }
    throw new CheckpointError('missing-record', `${source}: no ${WEIGHT_FILES.join(' or ')} in this directory`, { file: source })
  }
  if (local?.isFile()) return load(source, join(dirname(source), 'config.json'), join(dirname(source), 'generation_config.json'))
  if (looksLikePath(source)) throw new CheckpointError('missing-record', `${source}: no such file or directory`, { file: source })
  checkRepoId(source)
  const cacheDir = options.cacheDir ?? defaultHubCacheDir()
  const config = await hubFile(source, 'config.json', cacheDir, options)
  let weights: string | null = null
  for (const name of WEIGHT_FILES) {
    weights = await hubFile(source, name, cacheDir, options)
    if (weights) break
  }
  if (!weights) throw new HubError('not-found', `${source}: the repository has neither ${WEIGHT_FILES.join(' nor ')}`, source)
  const generation = await hubFile(source, 'generation_config.json', cacheDir, options).catch(() => null)
  return load(weights, config, generation)
}

/** A source that names a local path, not a Hub id: `./x`, `../x`, `/x`, `~/x`, `C:\x`, `a/b/c`, or a weight file's name. */
function looksLikePath(source: string): boolean {
  return /^(\.{1,2}([/\\]|$)|[/\\~]|[A-Za-z]:[/\\])/.test(source) || source.includes('\\') || source.split('/').length > 2 || /\.(bin|safetensors|pt|pth|pkl|ckpt|json)$/i.test(source)
}
