import { homedir } from 'node:os'
import { join, relative, resolve, isAbsolute } from 'node:path'
import { HubError } from './errors'
import { BLOB_HASH, checkRepoFile, checkRepoId, checkRevision, COMMIT_HASH } from './names'

export { COMMIT_HASH } from './names'

/**
 * The Hugging Face cache layout (shared with Python's `huggingface_hub`):
 * `<cache>/models--<owner>--<name>/{blobs/<hash>, snapshots/<commit>/<file>, refs/<revision>}`.
 * Every function here checks its names (see `names.ts`) and that the path it returns stays
 * inside the cache root, so no server header or caller-given name can point outside it.
 */
export function repoFolder(cacheDir: string, repo: string): string {
  checkRepoId(repo)
  return inside(cacheDir, join(cacheDir, `models--${repo.split('/').join('--')}`), repo)
}

export function blobPath(cacheDir: string, repo: string, hash: string): string {
  if (!BLOB_HASH.test(hash)) throw new HubError('bad-header', `blob name ${JSON.stringify(hash)} is not a sha256 or sha1 hash`, repo)
  return inside(cacheDir, join(repoFolder(cacheDir, repo), 'blobs', hash), repo)
}

export function snapshotPath(cacheDir: string, repo: string, commit: string, file: string): string {
  if (!COMMIT_HASH.test(commit)) throw new HubError('bad-header', `commit ${JSON.stringify(commit)} is not a 40-character hash`, repo, file)
  checkRepoFile(file, repo)
  return inside(cacheDir, join(repoFolder(cacheDir, repo), 'snapshots', commit, file), repo)
}

export function refPath(cacheDir: string, repo: string, revision: string): string {
  checkRevision(revision, repo)
  return inside(cacheDir, join(repoFolder(cacheDir, repo), 'refs', revision), repo)
}

/** `path`, after checking that it resolves to somewhere under `root`. */
function inside(root: string, path: string, repo: string): string {
  const rel = relative(resolve(root), resolve(path))
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new HubError('bad-name', `${path} would lie outside the cache ${root}`, repo)
  return path
}

/** The cache root: `HF_HUB_CACHE`, else `HF_HOME/hub`, else `XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub` (Python's rules). */
export function defaultHubCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE
  if (env.HF_HOME) return join(env.HF_HOME, 'hub')
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface', 'hub')
}
