import { HubError } from './errors'

/** Connection errors that mean the network or the host is unreachable: the only ones reported as `offline`. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'EADDRNOTAVAIL'])

/** Default seconds without any progress (no connection, no headers, no body bytes) before a request fails with `timeout`. */
export const DEFAULT_HUB_TIMEOUT_MS = 30_000

export interface HubRequestOptions {
  fetch: typeof fetch
  signal?: AbortSignal
  /** Milliseconds without progress before giving up. */
  timeoutMs: number
  accessToken?: string
  /** For error messages. */
  repo: string
  file: string
}

/**
 * One GET against the Hub with the rules a download needs: redirects are followed by hand (so the
 * `X-Repo-Commit` of the resolving answer can be read; `Authorization` is not sent to another
 * origin), every wait — for the connection, the headers and each body chunk — is bounded by
 * `timeoutMs`, and every failure is a {@link HubError} whose code says what happened.
 */
export class HubRequest {
  private readonly controller = new AbortController()
  private timer: ReturnType<typeof setTimeout> | undefined
  private timedOut = false
  /** The first `X-Repo-Commit` seen along the redirects (the Hub puts it on the resolving answer). */
  commit: string | null = null

  constructor(private readonly options: HubRequestOptions) {}

  /** Sends the request; resolves with the final response (its body not read yet). */
  async send(url: URL, headers: Record<string, string> = {}): Promise<Response> {
    const { repo, file } = this.options
    let target = url
    let sameOrigin = true
    for (let hops = 0; ; hops++) {
      const h = new Headers(headers)
      if (this.options.accessToken && sameOrigin) h.set('Authorization', `Bearer ${this.options.accessToken}`)
      this.arm()
      let response: Response
      try {
        response = await this.options.fetch(target, { headers: h, redirect: 'manual', signal: this.signal() })
      } catch (error) {
        throw this.failure(error, `requesting ${target.href}`, 'bad-response')
      }
      this.commit ??= response.headers.get('x-repo-commit')
      const location = response.headers.get('location')
      if (response.status < 300 || response.status >= 400 || !location) return response
      await response.body?.cancel().catch(() => undefined)
      if (hops >= 10) throw new HubError('bad-response', `${repo}/${file}: more than 10 redirects from ${url.href}`, repo, file)
      const next = new URL(location, target)
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new HubError('bad-response', `${repo}/${file}: the server redirected to a ${next.protocol} URL`, repo, file)
      if (next.origin !== url.origin) sameOrigin = false
      target = next
    }
  }

  /**
   * Reads the body chunk by chunk, each chunk awaited with the timeout, stopping as soon as more
   * than `limit` bytes have come (`oversize`). Returns the byte count.
   */
  async readBody(response: Response, limit: number, onChunk: (chunk: Uint8Array, loaded: number) => Promise<void> | void): Promise<number> {
    const { repo, file } = this.options
    if (!response.body) return 0
    const reader = response.body.getReader()
    let loaded = 0
    try {
      for (;;) {
        this.arm()
        let result: ReadableStreamReadResult<Uint8Array>
        try {
          result = await reader.read()
        } catch (error) {
          throw this.failure(error, `after ${loaded} of ${limit} bytes`, 'truncated')
        }
        if (result.done) return loaded
        loaded += result.value.length
        if (loaded > limit) throw new HubError('oversize', `${repo}/${file}: the server sent more than the ${limit} bytes it announced; the download was stopped and nothing was kept`, repo, file)
        await onChunk(result.value, loaded)
      }
    } finally {
      this.disarm()
      reader.cancel().catch(() => undefined)
    }
  }

  /** Stops the timer (after the last use). */
  disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  private signal(): AbortSignal {
    return this.options.signal ? AbortSignal.any([this.options.signal, this.controller.signal]) : this.controller.signal
  }

  private arm(): void {
    this.disarm()
    this.timer = setTimeout(() => {
      this.timedOut = true
      this.controller.abort(new Error('timeout'))
    }, this.options.timeoutMs)
  }

  /** The HubError (or the caller's abort reason) for an error thrown by fetch or a body read. */
  private failure(error: unknown, during: string, otherwise: 'bad-response' | 'truncated'): unknown {
    this.disarm()
    const { repo, file } = this.options
    if (this.options.signal?.aborted) return this.options.signal.reason ?? error
    if (error instanceof HubError) return error
    if (this.timedOut) return new HubError('timeout', `${repo}/${file}: no answer from the server for ${this.options.timeoutMs / 1000} s ${during}; set a longer timeoutMs if the network is slow`, repo, file)
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    const code = cause?.code ?? (error as NodeJS.ErrnoException).code
    const detail = cause?.message ?? (error as Error).message ?? String(error)
    if (code && UNREACHABLE.has(code)) return new HubError('offline', `${repo}/${file}: cannot reach the server (${code}) ${during}`, repo, file)
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT')
      return new HubError('timeout', `${repo}/${file}: the connection timed out (${code}) ${during}`, repo, file)
    return new HubError(otherwise, `${repo}/${file}: the connection failed ${during}: ${detail}${code ? ` (${code})` : ''}`, repo, file)
  }
}
