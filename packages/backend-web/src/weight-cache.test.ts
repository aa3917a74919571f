import { createServer, type Server } from 'node:http'
import { gzipSync } from 'node:zlib'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchCached, WebDownloadError, type CacheLike, type WebProgress } from './weight-cache'

/** An in-memory stand-in for the Cache Storage API (Node has none). */
function memoryCaches() {
  const stores = new Map<string, Map<string, Uint8Array>>()
  return {
    stores,
    async open(name: string): Promise<CacheLike> {
      const store = stores.get(name) ?? new Map<string, Uint8Array>()
      stores.set(name, store)
      return {
        match: async (url) => (store.has(url) ? new Response(store.get(url)! as unknown as BodyInit) : undefined),
        put: async (url, response) => void store.set(url, new Uint8Array(await response.arrayBuffer())),
      }
    },
  }
}

const body = new Uint8Array(300_000).map((_, i) => i % 251)
let server: Server
let base = ''
let requests = 0

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++
    if (req.url === '/weights.bin') {
      res.writeHead(200, { 'content-length': String(body.length) })
      // in pieces, so progress has several steps
      for (let i = 0; i < body.length; i += 65536) res.write(body.subarray(i, i + 65536))
      res.end()
    } else if (req.url === '/endless.bin') {
      res.writeHead(200, { 'content-length': '1000' }) // announces 1000 bytes, then never stops
      const more = () => !res.destroyed && res.write(body.subarray(0, 65536)) && setImmediate(more)
      more()
      res.on('drain', more)
    } else if (req.url === '/endless-unannounced.bin') {
      res.writeHead(200) // chunked, no length
      const more = () => !res.destroyed && res.write(body.subarray(0, 65536)) && setImmediate(more)
      more()
      res.on('drain', more)
    } else if (req.url === '/stall.bin') {
      res.writeHead(200, { 'content-length': String(body.length) })
      res.write(body.subarray(0, 100)) // then nothing
    } else if (req.url === '/gzip.json') {
      const zipped = gzipSync(Buffer.from('{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}'.repeat(50)))
      res.writeHead(200, { 'content-length': String(zipped.length), 'content-encoding': 'gzip' })
      res.end(zipped)
    } else if (req.url === '/short.bin') {
      res.writeHead(200, { 'content-length': '1000' })
      res.write(body.subarray(0, 10), () => res.destroy()) // the connection drops mid-file
    } else {
      res.writeHead(404, 'Not Found')
      res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('fetchCached', () => {
  it('downloads with progress events, stores the file, and serves the second request from the cache without the network', async () => {
    const caches = memoryCaches()
    const events: WebProgress[] = []
    const first = await fetchCached(`${base}/weights.bin`, { caches, onProgress: (p) => void events.push(p) })
    expect(first).toEqual(body)
    expect(events.length).toBeGreaterThan(1)
    expect(events.at(-1)).toEqual({ file: 'weights.bin', loaded: body.length, total: body.length, cached: false })
    expect(events.every((e, i) => i === 0 || e.loaded >= events[i - 1]!.loaded)).toBe(true)
    const before = requests
    const cachedEvents: WebProgress[] = []
    const failingFetch = (() => Promise.reject(new Error('offline'))) as unknown as typeof fetch
    const second = await fetchCached(`${base}/weights.bin`, { caches, fetch: failingFetch, onProgress: (p) => void cachedEvents.push(p) })
    expect(second).toEqual(body)
    expect(requests).toBe(before)
    expect(cachedEvents).toEqual([{ file: 'weights.bin', loaded: body.length, total: body.length, cached: true }])
  })

  it('names the URL and the status on an HTTP error, and never caches a short download', async () => {
    const caches = memoryCaches()
    await expect(fetchCached(`${base}/missing.bin`, { caches })).rejects.toThrow(new RegExp(`${base}/missing.bin: HTTP 404`))
    const error = await fetchCached(`${base}/short.bin`, { caches }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WebDownloadError)
    expect(caches.stores.get('dialogpt-weights')!.size).toBe(0)
  })

  it('stops on abort with a clear error', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(fetchCached(`${base}/weights.bin`, { caches: memoryCaches(), signal: controller.signal })).rejects.toThrow(/download aborted/)
  })

  it('stops an endless body at maxBytes, and refuses an announced size over it before reading', async () => {
    // With a Content-Length, fetch itself ends the body there: exactly the announced bytes come back.
    expect((await fetchCached(`${base}/endless.bin`, { cacheName: null })).length).toBe(1000)
    await expect(fetchCached(`${base}/endless-unannounced.bin`, { cacheName: null, maxBytes: 1 << 20 })).rejects.toThrow(/more than the 1048576 bytes allowed/)
    await expect(fetchCached(`${base}/weights.bin`, { cacheName: null, maxBytes: 1000 })).rejects.toThrow(/announces 300000 bytes, more than the 1000 allowed/)
  })

  it('fails a stalled download after timeoutMs instead of hanging', async () => {
    await expect(fetchCached(`${base}/stall.bin`, { cacheName: null, timeoutMs: 200 })).rejects.toThrow(/no data for 0.2 s after 100 bytes/)
  })

  it('accepts a compressed answer whose Content-Length counts the compressed bytes', async () => {
    const bytes = await fetchCached(`${base}/gzip.json`, { cacheName: null })
    expect(new TextDecoder().decode(bytes)).toBe('{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}'.repeat(50))
  })
})
