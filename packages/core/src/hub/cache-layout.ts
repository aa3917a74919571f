import { join } from 'node:path'

/**
 * The Hugging Face cache layout (shared with Python's `huggingface_hub`):
 * `<cache>/models--<owner>--<name>/{blobs/<etag>, snapshots/<commit>/<file>, refs/<revision>}`.
 */
export function repoFolder(cacheDir: string, repo: string): string {
  return join(cacheDir, `models--${repo.split('/').join('--')}`)
}

export const blobPath = (cacheDir: string, repo: string, etag: string) => join(repoFolder(cacheDir, repo), 'blobs', etag)
export const snapshotPath = (cacheDir: string, repo: string, commit: string, file: string) => join(repoFolder(cacheDir, repo), 'snapshots', commit, file)
export const refPath = (cacheDir: string, repo: string, revision: string) => join(repoFolder(cacheDir, repo), 'refs', revision)

export const COMMIT_HASH = /^[0-9a-f]{40}$/

/** The cache root: `HF_HUB_CACHE`, else `HF_HOME/hub`, else `XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`. */
export async function defaultHubCacheDir(): Promise<string> {
  const { getHFHubCachePath } = await import('@huggingface/hub')
  return getHFHubCachePath()
}
