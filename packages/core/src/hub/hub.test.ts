import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { loadGPT2 } from '../pretrained/load-gpt2'
import { describeShared, sharedPath } from '../../../../test/shared'
import { readSafetensors } from '../checkpoint/safetensors'
import { useBackend } from '../testing/tiny'
import type { DownloadProgress } from '../io/hub-options'
import { hubFile } from './download'
import { HubError } from './errors'
import { closedPort } from '../testing/closed-port'

const COMMIT = 'c0ffee0000000000000000000000000000000001'

/**
 * A local stand-in for the Hub, on 127.0.0.1 only: `/<repo>/resolve/<revision>/<file>` answers
 * small files directly (git-blob ETag) and weight files with a 302 to `/cdn/<sha256>` (LFS
 * ETag, X-Linked-Size), both carrying X-Repo-Commit; ranges are honoured; unknown files get
 * 404 with X-Error-Code: EntryNotFound, unknown repositories a plain 404.
 */
function hubServer(files: Record<string, Record<string, Buffer>>) {
  const log: { method: string; url: string; range?: string }[] = []
  let truncate = false
  let slow = false
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')
  const gitSha = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex')
  const blobs = new Map<string, Buffer>()
  for (const repo of Object.values(files)) for (const b of Object.values(repo)) blobs.set(sha256(b), b)
  const send = (req: IncomingMessage, res: ServerResponse, body: Buffer, headers: Record<string, string>) => {
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
    if (range) {
      const start = Number(range[1])
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1
      res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${body.length}`, 'Content-Length': String(end - start + 1) })
      return res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1))
    }
    res.writeHead(200, { ...headers, 'Content-Length': String(body.length) })
    if (req.method === 'HEAD') return res.end()
    if (truncate) {
      res.write(body.subarray(0, body.length >> 1))
      return setTimeout(() => res.destroy(), 10)
    }
    if (slow) {
      let at = 0
      const tick = () => {
        if (res.destroyed) return
        if (at >= body.length) return res.end()
        res.write(body.subarray(at, (at += 65536)))
        setTimeout(tick, 5)
      }
      return tick()
    }
    res.end(body)
  }
  const server = createServer((req, res) => {
    log.push({ method: req.method!, url: req.url!, range: req.headers.range })
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(req.url!)
    if (cdn) {
      const body = blobs.get(cdn[1]!)
      return body ? send(req, res, body, { ETag: `"${cdn[1]}"` }) : res.writeHead(404).end()
    }
    const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(req.url!)
    if (!m || !files[m[1]!] || (m[2] !== 'main' && m[2] !== COMMIT)) return res.writeHead(404, { 'X-Error-Code': 'RepoNotFound' }).end()
    const body = files[m[1]!]![m[3]!]
    if (!body) return res.writeHead(404, { 'X-Error-Code': 'EntryNotFound', 'X-Repo-Commit': COMMIT }).end()
    if (m[3]!.endsWith('.json')) return send(req, res, body, { ETag: `"${gitSha(body)}"`, 'X-Repo-Commit': COMMIT })
    res.writeHead(302, { Location: `/cdn/${sha256(body)}`, 'X-Repo-Commit': COMMIT, 'X-Linked-Etag': `"${sha256(body)}"`, 'X-Linked-Size': String(body.length) })
    res.end()
  })
  return {
    server,
    log,
    set truncate(v: boolean) {
      truncate = v
    },
    set slow(v: boolean) {
      slow = v
    },
  }
}

describeShared('Hub downloads against a local server in the Hub URL layout', ['fixtures', 'gpt2-tiny'], () => {
  let hub: ReturnType<typeof hubServer>
  let hubUrl = ''
  let server: Server
  const weights = readFileSync(sharedPath('fixtures', 'gpt2-tiny', 'model.safetensors'))
  const config = readFileSync(sharedPath('fixtures', 'gpt2-tiny', 'config.json'))
  const legacy = readFileSync(sharedPath('fixtures', 'checkpoints', 'gpt2tiny_legacy_fp16_dialogpt.bin'))
  beforeAll(async () => {
    await useBackend('cpu')
    hub = hubServer({
      'test/tiny': { 'config.json': config, 'model.safetensors': weights },
      'test/legacy-only': { 'config.json': config, 'pytorch_model.bin': legacy },
      'test/empty': { 'config.json': config },
    })
    server = hub.server
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const a = server.address()
    hubUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('downloads into the Hugging Face cache layout with progress, then reuses it and works offline', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'hub-cache-'))
    const events: DownloadProgress[] = []
    const model = await loadGPT2('test/tiny', { hubUrl, cacheDir, onProgress: (e) => events.push(e) })
    const folder = join(cacheDir, 'models--test--tiny')
    expect(readFileSync(join(folder, 'refs', 'main'), 'utf8')).toBe(COMMIT)
    expect(readdirSync(join(folder, 'snapshots', COMMIT)).sort()).toEqual(['config.json', 'model.safetensors'])
    expect(readlinkSync(join(folder, 'snapshots', COMMIT, 'model.safetensors'))).toMatch(/^\.\.\/\.\.\/blobs\/[0-9a-f]{64}$/)
    const weightEvents = events.filter((e) => e.file === 'model.safetensors')
    expect(weightEvents.at(-1)).toMatchObject({ done: true, loaded: weights.length, total: weights.length, fromCache: false })
    expect(weightEvents.length).toBeGreaterThan(2)
    const source = readSafetensors(new Uint8Array(weights)).tensors
    const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)
    for (const [name, v] of model.parameters()) expect(bytes(v.dataSync()).equals(bytes(source.get(name)!.data)), name).toBe(true)
    model.dispose()

    // Second time: only size probes, no full download.
    hub.log.length = 0
    const again: DownloadProgress[] = []
    ;(await loadGPT2('test/tiny', { hubUrl, cacheDir, onProgress: (e) => again.push(e) })).dispose()
    expect(hub.log.filter((r) => r.method === 'GET' && !r.range)).toEqual([])
    expect(again.find((e) => e.file === 'model.safetensors')).toMatchObject({ fromCache: true, done: true })

    // Offline: no request at all.
    hub.log.length = 0
    const offline = await loadGPT2('test/tiny', { hubUrl, cacheDir, localFilesOnly: true })
    expect(hub.log).toEqual([])
    offline.dispose()
    // And the network being down falls back to the cache too.
    ;(await loadGPT2('test/tiny', { hubUrl: `http://127.0.0.1:${await closedPort()}`, cacheDir })).dispose()
  })

  it('falls back to pytorch_model.bin when there is no safetensors file', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'hub-cache-'))
    const model = await loadGPT2('test/legacy-only', { hubUrl, cacheDir })
    expect(model.config.n_layer).toBe(2)
    model.dispose()
  })

  it('reports a missing repository, a missing file and an uncached offline request as HubError', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'hub-cache-'))
    await expect(loadGPT2('test/nope', { hubUrl, cacheDir })).rejects.toMatchObject({ name: 'HubError', code: 'not-found' })
    await expect(loadGPT2('test/empty', { hubUrl, cacheDir })).rejects.toThrow(/neither model\.safetensors nor pytorch_model\.bin/)
    expect(await hubFile('test/tiny', 'missing.txt', cacheDir, { hubUrl })).toBeNull()
    // The Hub's "no such file" is remembered (huggingface_hub's .no_exist marker), so offline it is null too, not "not cached".
    expect(existsSync(join(cacheDir, 'models--test--tiny', '.no_exist', COMMIT, 'missing.txt'))).toBe(true)
    expect(await hubFile('test/tiny', 'missing.txt', cacheDir, { localFilesOnly: true })).toBeNull()
    await expect(loadGPT2('test/tiny', { cacheDir, localFilesOnly: true })).rejects.toBeInstanceOf(HubError)
  })

  it('refuses a truncated download and leaves nothing in the cache', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'hub-cache-'))
    hub.truncate = true
    try {
      await expect(hubFile('test/tiny', 'model.safetensors', cacheDir, { hubUrl })).rejects.toMatchObject({ name: 'HubError', code: 'truncated' })
    } finally {
      hub.truncate = false
    }
    const blobs = join(cacheDir, 'models--test--tiny', 'blobs')
    expect(existsSync(blobs) ? readdirSync(blobs) : []).toEqual([])
  })

  it('stops on abort without leaving a partial file or a tensor', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'hub-cache-'))
    const controller = new AbortController()
    const tensors = tf.memory().numTensors
    hub.slow = true
    try {
      const pending = loadGPT2('test/tiny', {
        hubUrl,
        cacheDir,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.file === 'model.safetensors' && e.loaded > 0) controller.abort()
        },
      })
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    } finally {
      hub.slow = false
    }
    const blobs = join(cacheDir, 'models--test--tiny', 'blobs')
    expect(readdirSync(blobs).filter((f) => f.length === 64 || f.endsWith('.incomplete'))).toEqual([])
    expect(tf.memory().numTensors).toBe(tensors)
  })
})
