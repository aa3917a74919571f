/**
 * What went wrong talking to the Hub or its cache:
 * - `not-found`: the repository, revision or file does not exist (or is private);
 * - `offline`: the Hub could not be reached at all (no route, refused, no DNS) and the file is not cached;
 * - `not-cached`: `localFilesOnly` and the file is not in the cache;
 * - `timeout`: the server was reached but stopped answering (no headers, or the body stalled);
 * - `truncated`: the server sent fewer bytes than it announced (the connection ended early);
 * - `oversize`: the server sent more bytes than it announced;
 * - `integrity`: the content does not match the hash its ETag announced;
 * - `bad-header`: a header that would name a path in the cache (ETag, X-Repo-Commit) is not a hash;
 * - `bad-response`: the server answered, but not as the Hub does (no size, no ETag, no commit);
 * - `bad-name`: a repository id, revision or file name given by the caller is not safe to use;
 * - `http`: any other HTTP error status.
 */
export type HubErrorCode = 'not-found' | 'offline' | 'not-cached' | 'timeout' | 'truncated' | 'oversize' | 'integrity' | 'bad-header' | 'bad-response' | 'bad-name' | 'http'

/** A Hub download or cache problem, naming the repository, revision and file. */
export class HubError extends Error {
  override readonly name = 'HubError'
  constructor(
    readonly code: HubErrorCode,
    message: string,
    readonly repo: string,
    readonly file?: string,
  ) {
    super(message)
  }
}
