/** Download progress of one file. `total` is null when the server does not say. */
export interface WebProgress {
  file: string
  loaded: number
  total: number | null
  /** Served from the Cache Storage (no network). */
  cached: boolean
}

/** The part of the Cache Storage API used here (injectable for tests). */
export interface CacheLike {
  match(request: string): Promise<Response | undefined>
  put(request: string, response: Response): Promise<void>
}

export interface FetchCachedOptions {
  /** Cache Storage bucket. Default `'dialogpt-weights'`; `null` turns caching off. */
  cacheName?: string | null
  onProgress?: (p: WebProgress) => void
  signal?: AbortSignal
  /** Default `globalThis.caches`. */
  caches?: { open(name: string): Promise<CacheLike> }
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch
  /** Milliseconds without any progress (no answer, no bytes) before the download fails. Default 30 000. */
  timeoutMs?: number
  /** Refuse a file larger than this many bytes (a server that announces or sends more is stopped at once). Default 4 GiB. */
  maxBytes?: number
}

/** A download failed (network, HTTP status, or abort): `url` names the file. */
export class WebDownloadError extends Error {
  override readonly name = 'WebDownloadError'
  constructor(
    readonly url: string,
    message: string,
    /** The HTTP status, when the server answered with an error. */
    readonly status?: number,
  ) {
    super(`${url}: ${message}`)
  }
}

/** Marks a cached answer that says the file does not exist (HTTP 404), so an optional file is not asked for again. */
const ABSENT = 'x-dialogpt-absent'

/**
 * Fetches `url` as bytes, from the Cache Storage when it holds it (so a second visit works
 * offline), otherwise from the network with progress events — then stores it. A partial download
 * (aborted, or shorter than its Content-Length) is never stored. With `absentOk`, a file the server
 * does not have (404) gives `null`, and that answer is cached too.
 */
export async function fetchCached(url: string, options: FetchCachedOptions & { absentOk: true }): Promise<Uint8Array | null>
export async function fetchCached(url: string, options?: FetchCachedOptions): Promise<Uint8Array>
export async function fetchCached(url: string, options: FetchCachedOptions & { absentOk?: boolean } = {}): Promise<Uint8Array | null> {
  const cacheName = options.cacheName === undefined ? 'dialogpt-weights' : options.cacheName
  const storage = options.caches ?? (globalThis as { caches?: { open(name: string): Promise<CacheLike> } }).caches
  const cache = cacheName && storage ? await storage.open(cacheName) : null
  const file = url.split('/').pop() ?? url
  const hit = cache ? await cache.match(url) : undefined
  if (hit) {
    if (hit.headers.get(ABSENT)) {
      if (options.absentOk) return null
      throw new WebDownloadError(url, 'HTTP 404 (cached)', 404)
    }
    const bytes = new Uint8Array(await hit.arrayBuffer())
    options.onProgress?.({ file, loaded: bytes.length, total: bytes.length, cached: true })
    return bytes
  }
  const timeoutMs = options.timeoutMs ?? 30_000
  const maxBytes = options.maxBytes ?? 4 * 2 ** 30
  // Every wait (the answer, each chunk) is bounded: a stalled server fails instead of hanging the page.
  const stall = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const arm = () => {
    clearTimeout(timer)
    timer = setTimeout(() => stall.abort(), timeoutMs)
  }
  const signal = options.signal ? AbortSignal.any([options.signal, stall.signal]) : stall.signal
  const why = (error: unknown, during: string) =>
    new WebDownloadError(url, options.signal?.aborted ? 'download aborted' : stall.signal.aborted ? `no data for ${timeoutMs / 1000} s ${during}` : `${during} failed (${(error as Error).message})`)
  let response: Response
  arm()
  try {
    response = await (options.fetch ?? fetch)(url, { signal })
  } catch (error) {
    clearTimeout(timer)
    throw why(error, 'waiting for the answer')
  }
  if (!response.ok) {
    clearTimeout(timer)
    if (response.status === 404 && options.absentOk) {
      await response.body?.cancel().catch(() => undefined)
      if (cache) await cache.put(url, new Response(new Uint8Array(0), { headers: { [ABSENT]: '1' } }))
      return null
    }
    throw new WebDownloadError(url, `HTTP ${response.status} ${response.statusText}`, response.status)
  }
  // Content-Length counts the bytes on the wire: with a Content-Encoding (gzip, br) the body is longer.
  const header = response.headers.get('content-length')
  const encoded = (response.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity'
  const total = header === null || encoded || !/^\d+$/.test(header) ? null : Number(header)
  if (total !== null && total > maxBytes) {
    clearTimeout(timer)
    await response.body?.cancel().catch(() => undefined)
    throw new WebDownloadError(url, `the server announces ${total} bytes, more than the ${maxBytes} allowed (maxBytes)`)
  }
  const limit = total ?? maxBytes
  const chunks: Uint8Array[] = []
  let loaded = 0
  const reader = response.body!.getReader()
  try {
    for (;;) {
      arm()
      let result: ReadableStreamReadResult<Uint8Array>
      try {
        result = await reader.read()
      } catch (error) {
        throw why(error, `after ${loaded} bytes`)
      }
      if (result.done) break
      chunks.push(result.value)
      loaded += result.value.length
      if (loaded > limit) throw new WebDownloadError(url, total !== null ? `the server sent more than the ${total} bytes it announced` : `more than the ${maxBytes} bytes allowed (maxBytes)`)
      options.onProgress?.({ file, loaded, total, cached: false })
    }
  } finally {
    clearTimeout(timer)
    reader.cancel().catch(() => undefined)
  }
  if (total !== null && loaded !== total) throw new WebDownloadError(url, `received ${loaded} of ${total} bytes`)
  const bytes = new Uint8Array(loaded)
  let at = 0
  for (const c of chunks) {
    bytes.set(c, at)
    at += c.length
  }
  if (cache) await cache.put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(loaded) } }))
  return bytes
}
