import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, stat, symlink, writeFile, open } from 'node:fs/promises'
import { dirname, relative } from 'node:path'
import { blobPath, COMMIT_HASH, refPath, snapshotPath } from './cache-layout'
import { HubError } from './errors'

/** A download's progress, reported as bytes arrive. */
export interface DownloadProgress {
  repo: string
  file: string
  loaded: number
  /** Total bytes, from the Hub's size information. */
  total: number
  /** True for the final event of a file, also when it came from the cache. */
  done: boolean
  fromCache: boolean
}

export interface HubOptions {
  /** Branch, tag or commit. Default `main`. */
  revision?: string
  /** Cache root (Hugging Face layout). Default: `defaultHubCacheDir()` from `@dialogpt/core/node` (`HF_HUB_CACHE`, else `HF_HOME/hub`, else `XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`). */
  cacheDir?: string
  /** Use only what is cached; never touch the network. */
  localFilesOnly?: boolean
  onProgress?: (event: DownloadProgress) => void
  signal?: AbortSignal
  /** Hub endpoint. Default `https://huggingface.co` (or `HF_ENDPOINT`). */
  hubUrl?: string
  accessToken?: string
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch
}

/**
 * Returns the local path of `file` from `repo` in the Hugging Face cache, downloading it first
 * when needed (or `null` if the repository has no such file). The file is streamed to
 * `<blob>.incomplete`, checked against the size and hash the Hub announced, then renamed, so a
 * cut-off download never looks complete. With `localFilesOnly` it resolves the revision from
 * `refs/` and never goes online.
 */
export async function hubFile(repo: string, file: string, cacheDir: string, options: HubOptions = {}): Promise<string | null> {
  const revision = options.revision ?? 'main'
  options.signal?.throwIfAborted()
  if (options.localFilesOnly) return cachedFile(repo, file, cacheDir, revision, true)

  const { fileDownloadInfo, downloadFile } = await import('@huggingface/hub')
  let commit: string | undefined
  const baseFetch = options.fetch ?? fetch
  // Sees every request: adds the abort signal, and follows redirects itself so that it can read
  // the commit the Hub resolved the revision to (the redirect carries it, the CDN answer does not).
  const hubFetch: typeof fetch = async (input, init) => {
    let url = new URL(input instanceof Request ? input.url : String(input))
    let headers = new Headers(init?.headers)
    for (let hops = 0; ; hops++) {
      const response = await baseFetch(url, { ...init, headers, redirect: 'manual', signal: options.signal })
      commit ??= response.headers.get('x-repo-commit') ?? undefined
      const location = response.headers.get('location')
      if (response.status < 300 || response.status >= 400 || !location || hops >= 10) return response
      const next = new URL(location, url)
      if (next.origin !== url.origin) headers = new Headers([...headers].filter(([k]) => k.toLowerCase() !== 'authorization'))
      url = next
    }
  }
  const hubUrl = options.hubUrl ?? process.env.HF_ENDPOINT
  let info: Awaited<ReturnType<typeof fileDownloadInfo>>
  try {
    info = await fileDownloadInfo({ repo, path: file, revision, hubUrl, fetch: hubFetch, accessToken: options.accessToken })
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason ?? error
    const status = (error as { statusCode?: number }).statusCode
    if (status === 404 || status === 401) throw new HubError('not-found', `${repo}@${revision}: the repository or revision was not found (HTTP ${status})`, repo, file)
    if (status === undefined) {
      // Offline: fall back to the cache, as huggingface_hub does.
      const cached = await cachedFile(repo, file, cacheDir, revision, false)
      if (cached) return cached
      throw new HubError('offline', `cannot reach the Hub for ${repo}/${file} (${(error as Error).message}) and it is not cached`, repo, file)
    }
    throw new HubError('http', `${repo}/${file}: the Hub answered HTTP ${status}`, repo, file)
  }
  if (!info) return null
  const etag = info.etag.replace(/^W\//, '').replace(/"/g, '')
  const snapshotCommit = COMMIT_HASH.test(revision) ? revision : (commit ?? etag)
  const blob = blobPath(cacheDir, repo, etag)
  const pointer = snapshotPath(cacheDir, repo, snapshotCommit, file)
  const report = (loaded: number, done: boolean, fromCache: boolean) => options.onProgress?.({ repo, file, loaded, total: info!.size, done, fromCache })

  const existing = await stat(blob).catch(() => undefined)
  if (existing?.size === info.size) report(info.size, true, true)
  else {
    await mkdir(dirname(blob), { recursive: true })
    const incomplete = `${blob}.incomplete`
    const handle = await open(incomplete, 'w')
    const hasher = hashFor(etag)
    let loaded = 0
    try {
      const remote = await downloadFile({ repo, path: file, revision, hubUrl, fetch: hubFetch, accessToken: options.accessToken, downloadInfo: info, xet: false })
      if (!remote) throw new HubError('not-found', `${repo}/${file} disappeared during the download`, repo, file)
      const reader = remote.stream().getReader()
      for (;;) {
        options.signal?.throwIfAborted()
        const { value, done } = await reader.read()
        if (done) break
        await handle.write(value)
        hasher?.update(value)
        loaded += value.length
        report(loaded, false, false)
      }
    } catch (error) {
      await handle.close()
      await rm(incomplete, { force: true })
      if (options.signal?.aborted) throw options.signal.reason ?? error
      if (error instanceof HubError) throw error
      throw new HubError('truncated', `downloading ${repo}/${file} failed after ${loaded} of ${info.size} bytes: ${(error as Error).message}`, repo, file)
    }
    await handle.close()
    if (loaded !== info.size) {
      await rm(incomplete, { force: true })
      throw new HubError('truncated', `${repo}/${file}: received ${loaded} bytes but the Hub announced ${info.size}; the download was cut short`, repo, file)
    }
    if (hasher && hasher.digest() !== etag) {
      await rm(incomplete, { force: true })
      throw new HubError('integrity', `${repo}/${file}: the content does not match its hash ${etag}`, repo, file)
    }
    await rename(incomplete, blob)
    report(loaded, true, false)
  }
  await mkdir(dirname(pointer), { recursive: true })
  await rm(pointer, { force: true })
  await symlink(relative(dirname(pointer), blob), pointer).catch(async () => writeFile(pointer, await readFile(blob)))
  if (!COMMIT_HASH.test(revision)) {
    await mkdir(dirname(refPath(cacheDir, repo, revision)), { recursive: true })
    await writeFile(refPath(cacheDir, repo, revision), snapshotCommit)
  }
  return pointer
}

/** A file from the cache alone: the revision is resolved through `refs/` unless it is a commit hash. */
async function cachedFile(repo: string, file: string, cacheDir: string, revision: string, required: boolean): Promise<string | null> {
  const commit = COMMIT_HASH.test(revision) ? revision : (await readFile(refPath(cacheDir, repo, revision), 'utf8').catch(() => undefined))?.trim()
  const pointer = commit ? snapshotPath(cacheDir, repo, commit, file) : undefined
  if (pointer && (await stat(pointer).catch(() => undefined))) return pointer
  if (!required) return null
  if (!commit) throw new HubError('not-cached', `${repo}@${revision} is not in the cache at ${cacheDir} (localFilesOnly)`, repo, file)
  return null
}

/** Verifies what the Hub's ETag promises: sha256 for LFS files, git's blob sha1 for the rest. */
function hashFor(etag: string): { update(b: Uint8Array): void; digest(): string } | undefined {
  if (/^[0-9a-f]{64}$/.test(etag)) {
    const h = createHash('sha256')
    return { update: (b) => h.update(b), digest: () => h.digest('hex') }
  }
  if (/^[0-9a-f]{40}$/.test(etag)) {
    // A git blob id hashes "blob <size>\0" + content; the size is only known at the end.
    const chunks: Uint8Array[] = []
    return {
      update: (b) => chunks.push(b.slice()),
      digest: () => {
        const size = chunks.reduce((n, c) => n + c.length, 0)
        const h = createHash('sha1').update(`blob ${size}\0`)
        for (const c of chunks) h.update(c)
        return h.digest('hex')
      },
    }
  }
  return undefined
}
