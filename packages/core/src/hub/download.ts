import { createHash, randomBytes, type Hash } from 'node:crypto'
import { mkdir, open, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { blobPath, refPath, repoFolder, snapshotPath } from './cache-layout'
import { withPath } from '../io/file-error'
import { HubError } from './errors'
import { DEFAULT_HUB_TIMEOUT_MS, HubRequest } from './http'
import type { HubOptions } from '../io/hub-options'
import { BLOB_HASH, checkRepoFile, checkRepoId, checkRevision, commitFromHeader, COMMIT_HASH, etagFromHeader } from './names'

/** What the Hub says about a file before it is downloaded. */
interface FileInfo {
  size: number
  /** The unquoted ETag: a sha256 (LFS) or git sha1, or an opaque tag from a non-Hub server. */
  etag: string
  /** The commit the revision resolved to. */
  commit: string
  url: URL
}

/**
 * Returns the local path of `file` from `repo` in the Hugging Face cache, downloading it first
 * when needed (or `null` if the repository has no such file).
 *
 * Names are checked before any path is built: the repository id, the revision (a safe ref name)
 * and the file name from the caller; the ETag and `X-Repo-Commit` from the server (a commit must
 * be 40 hex characters; an ETag must not be able to name a path). A blob is stored under its hash:
 * the ETag when it is a sha256 or sha1 (and the content is checked against it), else the sha256
 * of the content. The body is streamed to `<blob>.incomplete`, checked against the announced size
 * (fewer bytes: `truncated`; more: `oversize`, stopped at once) and hash, then renamed, so a cut-off
 * download never looks complete. Every wait is bounded by `timeoutMs`. With `localFilesOnly`, or
 * when the Hub cannot be reached, the cache alone answers.
 */
export async function hubFile(repo: string, file: string, cacheDir: string, options: HubOptions = {}): Promise<string | null> {
  checkRepoId(repo)
  checkRepoFile(file, repo)
  const revision = options.revision ?? 'main'
  checkRevision(revision, repo)
  repoFolder(cacheDir, repo)
  options.signal?.throwIfAborted()
  if (options.localFilesOnly) return cachedFile(repo, file, cacheDir, revision, true)
  let info: FileInfo | null
  try {
    info = await fileInfo(repo, file, revision, options, cacheDir)
  } catch (error) {
    if (error instanceof HubError && (error.code === 'offline' || error.code === 'timeout')) {
      // The Hub is unreachable: fall back to the cache, as huggingface_hub does.
      const cached = await cachedFile(repo, file, cacheDir, revision, false)
      if (cached) return cached
      throw new HubError(error.code, `${error.message}, and ${repo}/${file}@${revision} is not in the cache at ${cacheDir}`, repo, file)
    }
    throw error
  }
  if (!info) return null
  const pointer = snapshotPath(cacheDir, repo, info.commit, file)
  const knownHash = BLOB_HASH.test(info.etag) ? info.etag : null
  const report = (loaded: number, done: boolean, fromCache: boolean) => options.onProgress?.({ repo, file, loaded, total: info!.size, done, fromCache })
  // A blob named by its ETag can be found before downloading; one named by its content only through the snapshot.
  let blob = knownHash ? blobPath(cacheDir, repo, knownHash) : null
  const cached = await stat(blob ?? pointer).catch(() => undefined)
  if (cached?.isFile() && cached.size === info.size) report(info.size, true, true)
  else blob = await download(repo, file, cacheDir, info, knownHash, options, report)
  if (blob) {
    const target = blob
    await writeAtomically(pointer, async () => {
      await rm(pointer, { force: true })
      await symlink(relative(dirname(pointer), target), pointer).catch(async () => writeFile(pointer, await readFile(target)))
    })
  }
  if (!COMMIT_HASH.test(revision)) {
    const ref = refPath(cacheDir, repo, revision)
    await writeAtomically(ref, async () => {
      const temp = `${ref}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
      await writeFile(temp, info.commit)
      await rename(temp, ref)
    })
  }
  return pointer
}

/** Creates `path`'s directory and runs `write`; a file-system error names the path. */
async function writeAtomically(path: string, write: () => Promise<void>): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true })
    await write()
  } catch (error) {
    throw withPath(error, path)
  }
}

function timeoutOf(options: HubOptions): number {
  if (options.timeoutMs !== undefined) {
    if (!(options.timeoutMs > 0)) throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${options.timeoutMs}`)
    return options.timeoutMs
  }
  const env = Number(process.env.HF_HUB_DOWNLOAD_TIMEOUT)
  return env > 0 ? env * 1000 : DEFAULT_HUB_TIMEOUT_MS
}

function request(repo: string, file: string, options: HubOptions): HubRequest {
  return new HubRequest({ fetch: options.fetch ?? fetch, signal: options.signal, timeoutMs: timeoutOf(options), accessToken: options.accessToken, repo, file })
}

/** `<hub>/<repo>/resolve/<revision>/<file>`, each part URL-encoded. */
function resolveUrl(repo: string, file: string, revision: string, options: HubOptions): URL {
  const hub = (options.hubUrl ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '')
  return new URL(`${hub}/${repo}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`)
}

/**
 * The file's size, ETag and commit, from a one-byte range request as the Hub answers it (LFS files
 * through a redirect that carries `X-Linked-Size` / `X-Linked-Etag`). `null` when the repository
 * exists but has no such file.
 */
async function fileInfo(repo: string, file: string, revision: string, options: HubOptions, cacheDir: string): Promise<FileInfo | null> {
  const url = resolveUrl(repo, file, revision, options)
  const req = request(repo, file, options)
  try {
    const response = await req.send(url, { Range: 'bytes=0-0' })
    await response.body?.cancel().catch(() => undefined)
    const h = response.headers
    if (response.status === 404 && h.get('x-error-code') === 'EntryNotFound') {
      // Remember that the file does not exist at this commit, so that offline use knows it too (huggingface_hub's `.no_exist`).
      const commit = COMMIT_HASH.test(revision) ? revision : commitFromHeader(req.commit, repo, file)
      if (commit) await markMissing(cacheDir, repo, file, revision, commit)
      return null
    }
    if (response.status === 404 || response.status === 401)
      throw new HubError('not-found', `${repo}@${revision}: the repository or revision was not found, or it is private (HTTP ${response.status}${h.get('x-error-code') ? `, ${h.get('x-error-code')}` : ''})`, repo, file)
    if (!response.ok) throw new HubError('http', `${repo}/${file}@${revision}: the server answered HTTP ${response.status} ${response.statusText}`, repo, file)
    const size = sizeOf(response)
    if (size === undefined)
      throw new HubError('bad-response', `${repo}/${file}: the server gave no usable size (no X-Linked-Size, no Content-Range total, no Content-Length); it does not answer like the Hub`, repo, file)
    const etagHeader = h.get('x-linked-etag') !== null ? 'X-Linked-Etag' : 'ETag'
    const rawEtag = h.get(etagHeader)
    if (rawEtag === null) throw new HubError('bad-response', `${repo}/${file}: the server sent no ETag, so the file cannot be identified in the cache`, repo, file)
    const etag = etagFromHeader(rawEtag, etagHeader, repo, file)
    const commit = COMMIT_HASH.test(revision) ? revision : commitFromHeader(req.commit, repo, file)
    if (!commit) throw new HubError('bad-response', `${repo}/${file}: the server did not say which commit '${revision}' is (no X-Repo-Commit header); pass a 40-character commit as the revision to use such a server`, repo, file)
    return { size, etag, commit, url }
  } finally {
    req.disarm()
  }
}

/** The file size a range probe reveals: `X-Linked-Size`, the total of `Content-Range`, or (a server that ignored the range) `Content-Length`. */
function sizeOf(response: Response): number | undefined {
  const h = response.headers
  const parse = (v: string | null | undefined) => (v !== null && v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : undefined)
  const linked = parse(h.get('x-linked-size'))
  if (linked !== undefined) return Number.isSafeInteger(linked) ? linked : undefined
  if (response.status === 206) {
    const total = parse(/\/(\d+)\s*$/.exec(h.get('content-range') ?? '')?.[1])
    return total !== undefined && Number.isSafeInteger(total) ? total : undefined
  }
  const length = parse(h.get('content-length'))
  return length !== undefined && Number.isSafeInteger(length) ? length : undefined
}

/** Downloads the body into the blob store; returns the blob's path. */
async function download(
  repo: string,
  file: string,
  cacheDir: string,
  info: FileInfo,
  knownHash: string | null,
  options: HubOptions,
  report: (loaded: number, done: boolean, fromCache: boolean) => void,
): Promise<string> {
  const blobs = join(repoFolder(cacheDir, repo), 'blobs')
  const incomplete = join(blobs, `${knownHash ?? `download-${process.pid}-${randomBytes(6).toString('hex')}`}.incomplete`)
  await writeAtomically(incomplete, async () => undefined) // creates blobs/
  const sha256 = createHash('sha256')
  // git's blob id hashes "blob <size>\0" + content; the announced size is checked separately.
  const sha1: Hash | null = knownHash?.length === 40 ? createHash('sha1').update(`blob ${info.size}\0`) : null
  const req = request(repo, file, options)
  let handle
  try {
    handle = await open(incomplete, 'w')
  } catch (error) {
    throw withPath(error, incomplete)
  }
  let loaded = 0
  try {
    const response = await req.send(info.url)
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined)
      throw new HubError(response.status === 404 ? 'not-found' : 'http', `${repo}/${file}: the download answered HTTP ${response.status} ${response.statusText}`, repo, file)
    }
    loaded = await req.readBody(response, info.size, async (chunk, total) => {
      options.signal?.throwIfAborted()
      try {
        await handle.writeFile(chunk) // all of it: write() may write only part (a full disk)
      } catch (error) {
        throw withPath(error, incomplete)
      }
      sha256.update(chunk)
      sha1?.update(chunk)
      report(total, false, false)
    })
    await handle.close()
    if (loaded < info.size) throw new HubError('truncated', `${repo}/${file}: received ${loaded} of the ${info.size} bytes the server announced; the download was cut short`, repo, file)
    const content = sha256.digest('hex')
    const actual = knownHash?.length === 40 ? sha1!.digest('hex') : content
    if (knownHash && actual !== knownHash) throw new HubError('integrity', `${repo}/${file}: the content's hash ${actual} does not match its ETag ${knownHash}`, repo, file)
    const blob = blobPath(cacheDir, repo, knownHash ?? content)
    await rename(incomplete, blob)
    report(loaded, true, false)
    return blob
  } catch (error) {
    await handle.close().catch(() => undefined)
    await rm(incomplete, { force: true })
    if (options.signal?.aborted) throw options.signal.reason ?? error
    throw error
  } finally {
    req.disarm()
  }
}

/** A file from the cache alone: the revision is resolved through `refs/` unless it is a commit hash. */
async function cachedFile(repo: string, file: string, cacheDir: string, revision: string, required: boolean): Promise<string | null> {
  const ref = COMMIT_HASH.test(revision) ? revision : (await readFile(refPath(cacheDir, repo, revision), 'utf8').catch(() => undefined))?.trim()
  // A refs file edited by hand (or by another tool) must still name a commit before it becomes a path.
  const commit = ref !== undefined && COMMIT_HASH.test(ref) ? ref : undefined
  const pointer = commit ? snapshotPath(cacheDir, repo, commit, file) : undefined
  if (pointer && (await stat(pointer).catch(() => undefined))) return pointer
  if (commit && (await stat(noExistPath(cacheDir, repo, commit, file)).catch(() => undefined))) return null // known not to exist
  if (!required) return null
  if (!commit) throw new HubError('not-cached', `${repo}@${revision} is not in the cache at ${cacheDir} (localFilesOnly)`, repo, file)
  return null
}

/** `<repo>/.no_exist/<commit>/<file>`: the marker of a file the Hub said does not exist at that commit. */
function noExistPath(cacheDir: string, repo: string, commit: string, file: string): string {
  return snapshotPath(cacheDir, repo, commit, file).replace(`${join('snapshots', commit)}`, join('.no_exist', commit))
}

/** Records that `file` does not exist at `commit` (and where the revision points), for offline use. */
async function markMissing(cacheDir: string, repo: string, file: string, revision: string, commit: string): Promise<void> {
  const marker = noExistPath(cacheDir, repo, commit, file)
  await writeAtomically(marker, () => writeFile(marker, ''))
  if (!COMMIT_HASH.test(revision)) {
    const ref = refPath(cacheDir, repo, revision)
    await writeAtomically(ref, () => writeFile(ref, commit))
  }
}
