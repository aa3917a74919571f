import { HubError } from './errors'

/**
 * Every name that becomes a path component of the Hugging Face cache, checked before it is used:
 * the ones a server sends (ETag, X-Repo-Commit) and the ones a caller gives (repository id,
 * revision, file name). A name that could leave its folder is refused, never cleaned up.
 */

/** A git commit: 40 lower-case hex characters. */
export const COMMIT_HASH = /^[0-9a-f]{40}$/
/** A blob in the cache is named by its content hash: sha256 (LFS files) or git's sha1 (the rest). */
export const BLOB_HASH = /^(?:[0-9a-f]{64}|[0-9a-f]{40})$/
/** `owner/name` (or a bare `name`): letters, digits, `-`, `_`, `.`, as the Hub allows. */
const REPO_ID = /^(?:[\w][\w.-]{0,95}\/)?[\w][\w.-]{0,95}$/

/** Throws `bad-name` unless `repo` is a Hub repository id. */
export function checkRepoId(repo: string): void {
  if (typeof repo !== 'string' || !REPO_ID.test(repo) || repo.includes('..') || repo.endsWith('.'))
    throw new HubError('bad-name', `'${String(repo)}' is not a Hub repository id (owner/name of letters, digits, '-', '_' and '.')`, String(repo))
}

/**
 * Throws `bad-name` unless `revision` is a safe ref name (git's rules for `check-ref-format`:
 * no `..`, no component starting with `.` or ending with `.lock`, no control characters, spaces
 * or any of `~^:?*[\`, no empty component): `main`, `v1.0`, `refs/pr/3` and commit hashes pass.
 */
export function checkRevision(revision: string, repo: string): void {
  const bad = (why: string): never => {
    throw new HubError('bad-name', `revision '${String(revision)}' is not a safe ref name (${why})`, repo)
  }
  if (typeof revision !== 'string' || revision.length === 0) bad('it is empty')
  if (revision.length > 255) bad('it is longer than 255 characters')
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(revision)) bad('it contains a space, a control character or one of ~^:?*[\\')
  if (revision.includes('..')) bad("it contains '..'")
  if (revision.includes('@{')) bad("it contains '@{'")
  for (const part of revision.split('/')) {
    if (part === '') bad("it has an empty component (a leading, trailing or doubled '/')")
    if (part.startsWith('.')) bad("a component starts with '.'")
    if (part.endsWith('.lock')) bad("a component ends with '.lock'")
  }
}

/** Throws `bad-name` unless `file` is a relative path inside the repository (no `..`, no absolute path, no backslash). */
export function checkRepoFile(file: string, repo: string): void {
  const parts = typeof file === 'string' ? file.split('/') : []
  // eslint-disable-next-line no-control-regex
  if (parts.length === 0 || file.length > 1024 || /[\x00-\x1f\\]/.test(file) || parts.some((p) => p === '' || p === '.' || p === '..'))
    throw new HubError('bad-name', `file name '${String(file)}' is not a relative path inside the repository`, repo, String(file))
}

/** A header's value as the cache may use it, or a `bad-header` error naming the header and the value. */
export function commitFromHeader(value: string | null, repo: string, file: string): string | undefined {
  if (value === null) return undefined
  if (!COMMIT_HASH.test(value)) throw new HubError('bad-header', `the server's X-Repo-Commit header ${JSON.stringify(value)} is not a 40-character commit hash; nothing was written`, repo, file)
  return value
}

/**
 * The ETag as the Hub sends it (`"<hash>"`, possibly weak `W/"..."`), unquoted. A value that could
 * name a path (separators, `..`, control characters) is a `bad-header` error; any other value that
 * is not a hash is allowed but is not used as a blob name (the content's sha256 is).
 */
export function etagFromHeader(value: string, header: string, repo: string, file: string): string {
  const etag = value.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1')
  // eslint-disable-next-line no-control-regex
  if (etag.length === 0 || etag.length > 256 || /[/\\\x00-\x1f\x7f]/.test(etag) || etag.includes('..'))
    throw new HubError('bad-header', `the server's ${header} header ${JSON.stringify(value)} is not an entity tag this cache can use (it must not contain '/', '\\', '..' or control characters); nothing was written`, repo, file)
  return etag
}
