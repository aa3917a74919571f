import { stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { CheckpointError } from '../checkpoint/errors'
import { defaultHubCacheDir } from '../hub/cache-layout'
import { hubFile } from '../hub/download'
import { HubError } from '../hub/errors'
import { checkRepoId } from '../hub/names'
import type { HubOptions } from '../io/hub-options'
import type { ResolvedModelFiles } from '../io/storage'

/** Weight files tried in a directory or a Hub repository, in order. */
export const WEIGHT_FILES = ['model.safetensors', 'pytorch_model.bin'] as const

const exists = async (path: string) => (await stat(path).catch(() => undefined)) !== undefined

/**
 * Where a model's files are: a local directory (`config.json` + `model.safetensors` or
 * `pytorch_model.bin`), a local weight file (with the `config.json` beside it), or a Hub repository
 * id (`microsoft/DialoGPT-small`), downloaded into the Hugging Face cache (safetensors first, then
 * `pytorch_model.bin`). A source that looks like a path but does not exist is "no such file or
 * directory", never sent to the Hub.
 */
export async function resolveModelFiles(source: string, options: HubOptions = {}): Promise<ResolvedModelFiles> {
  const local = await stat(source).catch(() => undefined)
  const withSiblings = async (weights: string, dir: string): Promise<ResolvedModelFiles> => {
    const out: ResolvedModelFiles = { weights }
    if (await exists(join(dir, 'config.json'))) out.config = join(dir, 'config.json')
    if (await exists(join(dir, 'generation_config.json'))) out.generationConfig = join(dir, 'generation_config.json')
    return out
  }
  if (local?.isDirectory()) {
    for (const name of WEIGHT_FILES) if (await exists(join(source, name))) return withSiblings(join(source, name), source)
    throw new CheckpointError('missing-record', `${source}: no ${WEIGHT_FILES.join(' or ')} in this directory`, { file: source })
  }
  if (local?.isFile()) return withSiblings(source, dirname(source))
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
  // Optional: a Hub that cannot be reached now does not stop a model that is otherwise cached.
  const generationConfig = await hubFile(source, 'generation_config.json', cacheDir, options).catch((error: unknown) => {
    if (error instanceof HubError && (error.code === 'offline' || error.code === 'timeout' || error.code === 'not-cached')) return null
    throw error
  })
  return { weights, ...(config ? { config } : {}), ...(generationConfig ? { generationConfig } : {}) }
}

/** A source that names a local path, not a Hub id: `./x`, `../x`, `/x`, `~/x`, `C:\x`, `a/b/c`, or a weight file's name. */
function looksLikePath(source: string): boolean {
  return /^(\.{1,2}([/\\]|$)|[/\\~]|[A-Za-z]:[/\\])/.test(source) || source.includes('\\') || source.split('/').length > 2 || /\.(bin|safetensors|pt|pth|pkl|ckpt|json)$/i.test(source)
}
