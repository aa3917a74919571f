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
}

/** A download failed (network, HTTP status, or abort): `url` names the file. */
export class WebDownloadError extends Error {
  override readonly name = 'WebDownloadError'
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(`${url}: ${message}`)
  }
}

/**
 * Fetches `url` as bytes, from the Cache Storage when it holds it (so a second visit works
 * offline), otherwise from the network with progress events — then stores it. A partial download
 * (aborted, or shorter than its Content-Length) is never stored.
 */
export async function fetchCached(url: string, options: FetchCachedOptions = {}): Promise<Uint8Array> {
  const cacheName = options.cacheName === undefined ? 'dialogpt-weights' : options.cacheName
  const storage = options.caches ?? (globalThis as { caches?: { open(name: string): Promise<CacheLike> } }).caches
  const cache = cacheName && storage ? await storage.open(cacheName) : null
  const file = url.split('/').pop() ?? url
  const hit = cache ? await cache.match(url) : undefined
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer())
    options.onProgress?.({ file, loaded: bytes.length, total: bytes.length, cached: true })
    return bytes
  }
  let response: Response
  try {
    response = await (options.fetch ?? fetch)(url, { signal: options.signal })
  } catch (error) {
    throw new WebDownloadError(url, options.signal?.aborted ? 'download aborted' : `cannot be fetched (${(error as Error).message})`)
  }
  if (!response.ok) throw new WebDownloadError(url, `HTTP ${response.status} ${response.statusText}`)
  const header = response.headers.get('content-length')
  const total = header === null ? null : Number(header)
  const chunks: Uint8Array[] = []
  let loaded = 0
  const reader = response.body!.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      loaded += value.length
      options.onProgress?.({ file, loaded, total, cached: false })
    }
  } catch (error) {
    throw new WebDownloadError(url, options.signal?.aborted ? 'download aborted' : `download failed after ${loaded} bytes (${(error as Error).message})`)
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
