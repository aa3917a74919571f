import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { hubFile } from './download'
import { HubError } from './errors'
import { closedPort } from '../testing/closed-port'

const COMMIT = 'c0ffee0000000000000000000000000000000002'
const BODY = Buffer.from('{"n_layer": 2}\n'.repeat(2000))
const SHA256 = createHash('sha256').update(BODY).digest('hex')

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** A server on 127.0.0.1 whose answers each test chooses: the hostile ones an attacker (or a broken proxy) would send. */
let handler: Handler
let server: Server
let hubUrl = ''
const sockets = new Set<Socket>()

/** An honest LFS-style answer with the headers a test overrides. */
function answer(req: IncomingMessage, res: ServerResponse, headers: Record<string, string> = {}, body: Buffer = BODY): void {
  const base: Record<string, string> = { ETag: `"${SHA256}"`, 'X-Repo-Commit': COMMIT, ...headers }
  for (const [k, v] of Object.entries(base)) if (v === '') delete base[k]
  if (req.headers.range === 'bytes=0-0') {
    res.writeHead(206, { ...base, 'Content-Range': `bytes 0-0/${body.length}`, 'Content-Length': '1' })
    return void res.end(body.subarray(0, 1))
  }
  res.writeHead(200, { ...base, 'Content-Length': String(body.length) })
  res.end(body)
}

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res))
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const a = server.address()
  hubUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`
})
afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

let root: string
let cacheDir: string
let victim: string
beforeEach(() => {
  handler = (req, res) => answer(req, res)
  // The cache sits deep inside a scratch folder; 'victim' is a folder beside it that nothing may touch.
  root = mkdtempSync(join(tmpdir(), 'hostile-hub-'))
  cacheDir = join(root, 'a', 'b', 'c', 'cache')
  victim = join(root, 'victim')
  mkdirSync(cacheDir, { recursive: true })
  mkdirSync(victim)
  writeFileSync(join(victim, 'config.json'), 'precious')
})

/** Every file under `dir`, recursively (relative paths). */
function files(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1))
    .sort()
}

function victimUntouched(): void {
  expect(files(victim)).toEqual(['config.json'])
  expect(readFileSync(join(victim, 'config.json'), 'utf8')).toBe('precious')
  expect(files(root).filter((f) => !f.startsWith('a/b/c/cache/') && !f.startsWith('victim/'))).toEqual([])
}

describe('a server header never chooses a path', () => {
  it('refuses an ETag that climbs out of the cache, naming the header and the value, and writes nothing', async () => {
    handler = (req, res) => answer(req, res, { ETag: '"../../../../../../../../victim/pwned-blob"' })
    const error = await hubFile('t/ok', 'model.safetensors', cacheDir, { hubUrl }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HubError)
    expect(error).toMatchObject({ code: 'bad-header', message: expect.stringContaining('ETag') })
    expect((error as Error).message).toContain('../../victim/pwned-blob')
    victimUntouched()
    expect(files(cacheDir)).toEqual([])
  })

  it('refuses a traversal in X-Linked-Etag the same way', async () => {
    handler = (req, res) => answer(req, res, { 'X-Linked-Etag': '"..\\\\..\\\\victim"' })
    await expect(hubFile('t/ok', 'model.safetensors', cacheDir, { hubUrl })).rejects.toMatchObject({ code: 'bad-header', message: expect.stringContaining('X-Linked-Etag') })
    victimUntouched()
  })

  it('refuses an X-Repo-Commit that is not a commit hash and leaves files outside the cache alone', async () => {
    handler = (req, res) => answer(req, res, { 'X-Repo-Commit': '../../../../victim/commitdir' })
    const error = await hubFile('t/ok', 'config.json', cacheDir, { hubUrl }).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'HubError', code: 'bad-header', message: expect.stringContaining('X-Repo-Commit') })
    expect((error as Error).message).toContain('../../victim/commitdir')
    victimUntouched()
    expect(files(cacheDir)).toEqual([])
  })

  it('refuses a revision that is not a safe ref name before any request', async () => {
    let requests = 0
    handler = (req, res) => {
      requests++
      answer(req, res)
    }
    for (const revision of ['../../../../victim/rev', 'main/../../x', '/abs', 'a//b', '.hidden', 'x.lock', 'sp ace', 'a\\b', 'a:b', '']) {
      await expect(hubFile('t/ok', 'config.json', cacheDir, { hubUrl, revision }), revision).rejects.toMatchObject({ name: 'HubError', code: 'bad-name' })
    }
    expect(requests).toBe(0)
    victimUntouched()
    expect(files(cacheDir)).toEqual([])
    // A pull-request ref is a safe name with slashes.
    expect(await hubFile('t/ok', 'config.json', cacheDir, { hubUrl, revision: 'refs/pr/3' })).toContain(COMMIT)
    expect(readFileSync(join(cacheDir, 'models--t--ok', 'refs', 'refs', 'pr', '3'), 'utf8')).toBe(COMMIT)
  })

  it('refuses repository ids and file names that could leave the cache', async () => {
    for (const repo of ['../x', 'a/../../b', 'a/b/c', '/abs', 'a/.', '..']) await expect(hubFile(repo, 'config.json', cacheDir, { hubUrl }), repo).rejects.toMatchObject({ code: 'bad-name' })
    for (const file of ['../config.json', '/etc/passwd', 'a//b', 'a\\b', '']) await expect(hubFile('t/ok', file, cacheDir, { hubUrl }), file).rejects.toMatchObject({ code: 'bad-name' })
    victimUntouched()
  })

  it('ignores a refs file whose content is not a commit when reading the cache offline', async () => {
    mkdirSync(join(cacheDir, 'models--t--ok', 'refs'), { recursive: true })
    writeFileSync(join(cacheDir, 'models--t--ok', 'refs', 'main'), '../../../../victim')
    await expect(hubFile('t/ok', 'config.json', cacheDir, { localFilesOnly: true })).rejects.toMatchObject({ code: 'not-cached' })
    victimUntouched()
  })

  it('stores a file whose ETag is not a hash under the sha256 of its content, after checking its size', async () => {
    handler = (req, res) => answer(req, res, { ETag: '"5d41402abc4b2a76-3"' })
    const path = await hubFile('t/ok', 'model.safetensors', cacheDir, { hubUrl })
    expect(readFileSync(path!).equals(BODY)).toBe(true)
    expect(readdirSync(join(cacheDir, 'models--t--ok', 'blobs'))).toEqual([SHA256])
    // Fewer bytes than announced is refused even without a hash to check.
    const short = mkdtempSync(join(tmpdir(), 'hub-short-'))
    handler = (req, res) => {
      if (req.headers.range) return answer(req, res, { ETag: '"opaque"' })
      res.writeHead(200, { ETag: '"opaque"', 'X-Repo-Commit': COMMIT })
      res.end(BODY.subarray(0, 100))
    }
    await expect(hubFile('t/ok', 'model.safetensors', short, { hubUrl })).rejects.toMatchObject({ code: 'truncated', message: expect.stringMatching(/received 100 of the 30000 bytes/) })
    expect(files(short)).toEqual([])
  })
})

describe('honest failures', () => {
  it('times out when a server accepts the connection but never answers, with a timeout code', async () => {
    handler = () => undefined // never answers
    const error = await hubFile('t/ok', 'config.json', cacheDir, { hubUrl, timeoutMs: 200 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'HubError', code: 'timeout' })
    expect((error as Error).message).toMatch(/no answer from the server for 0.2 s/)
  })

  it('times out when the body stalls, and keeps no partial file', async () => {
    handler = (req, res) => {
      if (req.headers.range) return answer(req, res)
      res.writeHead(200, { ETag: `"${SHA256}"`, 'X-Repo-Commit': COMMIT, 'Content-Length': String(BODY.length) })
      res.write(BODY.subarray(0, 1000)) // then nothing
    }
    const error = await hubFile('t/ok', 'model.safetensors', cacheDir, { hubUrl, timeoutMs: 200 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'timeout', message: expect.stringContaining('after 1000 of 30000 bytes') })
    expect(files(join(cacheDir, 'models--t--ok', 'blobs'))).toEqual([])
  })

  it('falls back to the cache when the Hub times out, as when it is offline', async () => {
    await hubFile('t/ok', 'config.json', cacheDir, { hubUrl })
    handler = () => undefined
    expect(await hubFile('t/ok', 'config.json', cacheDir, { hubUrl, timeoutMs: 200 })).toContain(COMMIT)
  })

  it('says offline only when the server cannot be reached', async () => {
    const error = await hubFile('t/ok', 'config.json', cacheDir, { hubUrl: `http://127.0.0.1:${await closedPort()}` }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'offline', message: expect.stringContaining('ECONNREFUSED') })
  })

  it('reports a server that sends no ETag as bad-response, not offline', async () => {
    handler = (req, res) => answer(req, res, { ETag: '' })
    await expect(hubFile('t/ok', 'config.json', cacheDir, { hubUrl })).rejects.toMatchObject({ code: 'bad-response', message: expect.stringContaining('no ETag') })
  })

  it('reports a server that names no commit as bad-response, and accepts it when the revision is a commit', async () => {
    handler = (req, res) => answer(req, res, { 'X-Repo-Commit': '' })
    await expect(hubFile('t/ok', 'config.json', cacheDir, { hubUrl })).rejects.toMatchObject({ code: 'bad-response', message: expect.stringContaining('X-Repo-Commit') })
    expect(await hubFile('t/ok', 'config.json', cacheDir, { hubUrl, revision: COMMIT })).toContain(COMMIT)
  })

  it('works with a server that ignores range requests but sends Content-Length, and refuses one that gives no size', async () => {
    handler = (req, res) => {
      res.writeHead(200, { ETag: `"${SHA256}"`, 'X-Repo-Commit': COMMIT, 'Content-Length': String(BODY.length) })
      res.end(BODY)
    }
    expect(readFileSync((await hubFile('t/ok', 'model.safetensors', cacheDir, { hubUrl }))!).equals(BODY)).toBe(true)
    handler = (req, res) => {
      res.writeHead(200, { ETag: `"${SHA256}"`, 'X-Repo-Commit': COMMIT, 'Transfer-Encoding': 'chunked' })
      res.end(BODY)
    }
    await expect(hubFile('t/ok', 'model.safetensors', mkdtempSync(join(tmpdir(), 'hub-nosize-')), { hubUrl })).rejects.toMatchObject({ code: 'bad-response', message: expect.stringContaining('no usable size') })
  })

  it('stops a body longer than announced as oversize (not "cut short") and keeps nothing', async () => {
    const huge = Buffer.alloc(1 << 20, 0x61)
    handler = (req, res) => {
      if (req.headers.range) return answer(req, res)
      res.writeHead(200, { ETag: `"${SHA256}"`, 'X-Repo-Commit': COMMIT })
      const more = () => res.write(huge) && setImmediate(more)
      more()
    }
    const error = await hubFile('t/ok', 'model.safetensors', cacheDir, { hubUrl }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'oversize', message: expect.stringContaining('more than the 30000 bytes') })
    expect(files(join(cacheDir, 'models--t--ok', 'blobs'))).toEqual([])
  })

  it('refuses content that does not match its ETag hash', async () => {
    handler = (req, res) => answer(req, res, {}, Buffer.from(BODY.toString().replace('2', '3')))
    await expect(hubFile('t/ok', 'model.safetensors', cacheDir, { hubUrl })).rejects.toMatchObject({ code: 'integrity' })
    expect(files(join(cacheDir, 'models--t--ok', 'blobs'))).toEqual([])
  })

  it('names the HTTP status of other errors', async () => {
    handler = (_req, res) => res.writeHead(500, 'Internal Server Error').end()
    await expect(hubFile('t/ok', 'config.json', cacheDir, { hubUrl })).rejects.toMatchObject({ code: 'http', message: expect.stringContaining('HTTP 500') })
  })
})
