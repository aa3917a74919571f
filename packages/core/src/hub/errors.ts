/** What went wrong talking to the Hub or its cache. */
export type HubErrorCode = 'not-found' | 'offline' | 'not-cached' | 'truncated' | 'integrity' | 'http'

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
