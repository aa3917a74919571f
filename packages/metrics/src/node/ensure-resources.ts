import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { METEOR_RESOURCE_FILES, type MeteorResources } from '../meteor/resources'
import { loadMeteorResources } from './load-resources'

/**
 * Where METEOR 1.5's English resources are downloaded from by default: METEOR's own repository
 * at the commit whose files the official numbers were computed with.
 */
export const METEOR_DEFAULT_BASE_URL = 'https://raw.githubusercontent.com/cmu-mtlab/meteor/57a9ec5d5f65b8ceca6db5788ef876f3726614b3/resources'

/** Path of each file under the base URL, and its SHA-256. */
export const METEOR_RESOURCE_CHECKSUMS: Record<Exclude<keyof typeof METEOR_RESOURCE_FILES, 'paraphrases'>, { path: string; sha256: string }> = {
  functionWords: { path: 'function/english.words', sha256: '2ae0d5b8c29e2993a0f442b065b946d1a17fbfe8538e66bf5931c4a248cf4c3a' },
  nonbreakingPrefixes: { path: 'nonbreaking/english.prefixes', sha256: 'bd909f364224748976f9b8b7cdeb4f9be3bf7c8e66a10f1ed268b12d904ab876' },
  synsets: { path: 'synonym/english.synsets', sha256: '20b7cf6ae1cba2395d714d8c2ec2992e88c6d1c75c7c30aa480c6a2a9bb8fef9' },
  exceptions: { path: 'synonym/english.exceptions', sha256: '5feb8fcb5b349d035df1a448149c2ccc860bf32e4b9eea8c8e4f113e90a5a962' },
}

/** Thrown when METEOR's data cannot be downloaded or fails its checksum. */
export class MeteorDownloadError extends Error {
  override readonly name = 'MeteorDownloadError'
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(`${message} (${url})`)
  }
}

export interface EnsureMeteorResourcesOptions {
  /** Cache directory. Default `$DIALOGPT_CACHE/meteor-1.5`, else `$XDG_CACHE_HOME/dialogpt/meteor-1.5`, else `~/.cache/dialogpt/meteor-1.5`. */
  cacheDir?: string
  /** Base URL laid out like METEOR's `resources/` folder. Default {@link METEOR_DEFAULT_BASE_URL}. */
  baseUrl?: string
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch
  signal?: AbortSignal
}

/** The default cache directory for METEOR's data. */
export function defaultMeteorCacheDir(): string {
  const env = process.env
  if (env.DIALOGPT_CACHE) return join(env.DIALOGPT_CACHE, 'meteor-1.5')
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'dialogpt', 'meteor-1.5')
}

/**
 * Returns METEOR's English resources from the cache, downloading any missing file first (the
 * four files of METEOR's `resources/`; the 59 MB paraphrase table is not downloaded — put
 * `paraphrase-en.gz` in the cache directory yourself to enable the paraphrase module). Every
 * file is checked against its SHA-256 before it is used (a cached file that fails is fetched
 * again); files are written to a temporary name and renamed, so an interrupted download never
 * leaves a file that looks complete. Offline with an empty cache, it throws
 * {@link MeteorDownloadError} saying which file it could not get.
 */
export async function ensureMeteorResources(options: EnsureMeteorResourcesOptions = {}): Promise<MeteorResources> {
  const dir = options.cacheDir ?? defaultMeteorCacheDir()
  const base = (options.baseUrl ?? METEOR_DEFAULT_BASE_URL).replace(/\/+$/, '')
  const doFetch = options.fetch ?? fetch
  await mkdir(dir, { recursive: true })
  for (const key of Object.keys(METEOR_RESOURCE_CHECKSUMS) as (keyof typeof METEOR_RESOURCE_CHECKSUMS)[]) {
    const target = join(dir, METEOR_RESOURCE_FILES[key])
    const { path, sha256 } = METEOR_RESOURCE_CHECKSUMS[key]
    const cached = await readFile(target).catch(() => undefined)
    if (cached && hash(cached) === sha256) continue
    const url = `${base}/${path}`
    let response: Response
    try {
      response = await doFetch(url, { signal: options.signal })
    } catch (error) {
      if (options.signal?.aborted) throw error
      throw new MeteorDownloadError(`cannot download METEOR data (offline?): ${(error as Error).message}; pass a directory that holds it instead`, url)
    }
    if (!response.ok) throw new MeteorDownloadError(`download failed with HTTP ${response.status}`, url)
    const bytes = new Uint8Array(await response.arrayBuffer())
    const got = hash(bytes)
    if (got !== sha256) throw new MeteorDownloadError(`checksum mismatch: expected sha256 ${sha256}, got ${got}`, url)
    const temp = `${target}.${process.pid}.partial`
    await writeFile(temp, bytes)
    await rename(temp, target)
  }
  return loadMeteorResources(dir)
}

function hash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
