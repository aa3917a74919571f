import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeFeatures } from '../encode/feature'
import { StoreError } from './store-error'
import { StoreWriter, writeStore } from './store-writer'
import { TokenStore } from './token-store'
import { unpadded } from './example'

function sampleFeatures(count: number) {
  const out = []
  for (let s = 0; s < count; s++) {
    const turns = Array.from({ length: 2 + (s % 4) }, (_, t) => Array.from({ length: 1 + ((s * 7 + t * 3) % 11) }, (_, k) => (s * 131 + t * 17 + k) % 50257))
    out.push(...makeFeatures(turns, turns.map((_, t) => (t === 2 ? 0 : 1)), 64))
  }
  return out
}

const scratch = () => mkdtempSync(join(tmpdir(), 'dialogpt-store-'))

describe('TokenStore', () => {
  it('reads back every example exactly as written, across shards', async () => {
    const features = sampleFeatures(300)
    const dir = join(scratch(), 'store')
    const manifest = await writeStore(dir, features, { shardBytes: 2048, meta: { note: 'test' } })
    expect(manifest.shards.length).toBeGreaterThan(3)
    const store = await TokenStore.open(dir)
    expect(store.size).toBe(features.length)
    for (let i = 0; i < features.length; i++) {
      const want = unpadded(features[i]!)
      expect(store.lengthOf(i)).toBe(want.inputIds.length)
      expect(await store.get(i)).toEqual(want)
    }
    await store.verify()
    expect(store.manifest.meta).toEqual({ note: 'test' })
    await store.close()
  })

  it('stores int32 ids when asked, and refuses ids that do not fit uint16', async () => {
    const dir = join(scratch(), 's')
    await writeStore(dir, [{ inputIds: [70000, 1], labels: [1, -1] }], { dtype: 'int32' })
    expect(await (await TokenStore.open(dir)).get(0)).toEqual({ inputIds: [70000, 1], labels: [1, -1] })
    await expect(writeStore(join(scratch(), 't'), [{ inputIds: [70000], labels: [-1] }])).rejects.toThrow(/does not fit the uint16 store/)
  })

  it('names a truncated shard at open', async () => {
    const dir = join(scratch(), 's')
    await writeStore(dir, sampleFeatures(50), { shardBytes: 1024 })
    truncateSync(join(dir, 'shard-00001.bin'), 10)
    const error = await TokenStore.open(dir).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).code).toBe('truncated-shard')
    expect((error as StoreError).message).toMatch(/shard-00001\.bin.*truncated/)
  })

  it('names a corrupted shard and the example when it is read, and in verify()', async () => {
    const dir = join(scratch(), 's')
    await writeStore(dir, sampleFeatures(50), { shardBytes: 1024 })
    const path = join(dir, 'shard-00002.bin')
    const bytes = readFileSync(path)
    bytes[5] = bytes[5]! ^ 0xff
    writeFileSync(path, bytes)
    const store = await TokenStore.open(dir)
    await expect(store.verify()).rejects.toThrow(/shard-00002\.bin: SHA-256 differs/)
    const first = store.manifest.shards.slice(0, 2).reduce((a, s) => a + s.examples, 0)
    const error = await store.get(first).catch((e: unknown) => e)
    expect((error as StoreError).code).toBe('corrupt-example')
    expect((error as Error).message).toMatch(new RegExp(`shard-00002\\.bin: example ${first} .*CRC-32`))
    await store.close()
  })

  it('an interrupted build leaves nothing that opens as a store', async () => {
    const root = scratch()
    const dir = join(root, 'store')
    const writer = await StoreWriter.create(dir)
    for (const f of sampleFeatures(20)) await writer.add(f)
    // the process dies here: finish() never runs
    expect(existsSync(dir)).toBe(false)
    expect(readdirSync(root).some((n) => n.startsWith('.store.partial-'))).toBe(true)
    await expect(TokenStore.open(dir)).rejects.toMatchObject({ code: 'not-found' })
    // a directory without a manifest (e.g. copied half-way) is refused as incomplete
    const temp = readdirSync(root).find((n) => n.startsWith('.store.partial-'))!
    await expect(TokenStore.open(join(root, temp))).rejects.toMatchObject({ code: 'incomplete' })
    await writer.abort()
    expect(readdirSync(root)).toEqual([])
  })

  it('refuses to overwrite a store unless asked, and replaces it atomically when asked', async () => {
    const dir = join(scratch(), 's')
    await writeStore(dir, sampleFeatures(5))
    await expect(writeStore(dir, sampleFeatures(6))).rejects.toMatchObject({ code: 'exists' })
    expect((await TokenStore.open(dir)).size).toBe(sampleFeatures(5).length)
    await writeStore(dir, sampleFeatures(6), { overwrite: true })
    expect((await TokenStore.open(dir)).size).toBe(sampleFeatures(6).length)
  })

  it('refuses a damaged index and a manifest of another format', async () => {
    const dir = join(scratch(), 's')
    await writeStore(dir, sampleFeatures(5))
    const index = readFileSync(join(dir, 'index.bin'))
    index[0] = 9
    writeFileSync(join(dir, 'index.bin'), index)
    await expect(TokenStore.open(dir)).rejects.toThrow(/index\.bin: does not match the manifest/)
    writeFileSync(join(dir, 'manifest.json'), '{"format":"other"}')
    await expect(TokenStore.open(dir)).rejects.toThrow(/manifest\.json: not a token store manifest/)
  })
})

describe('a hostile manifest', () => {
  const edit = async (patch: (m: Record<string, unknown>) => void) => {
    const dir = join(scratch(), 'store')
    await writeStore(dir, sampleFeatures(20))
    const path = join(dir, 'manifest.json')
    const m = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
    patch(m)
    writeFileSync(path, JSON.stringify(m))
    return dir
  }

  it('refuses an unsupported dtype when the store is opened, naming the field', async () => {
    const dir = await edit((m) => (m.dtype = 'uint8'))
    await expect(TokenStore.open(dir)).rejects.toMatchObject({ code: 'bad-manifest', message: expect.stringContaining(`dtype is "uint8"`) })
  })

  it('refuses shard and index paths that leave the store directory', async () => {
    const outside = join(scratch(), 'outside')
    writeFileSync(outside, 'not yours')
    for (const bad of ['../../outside/file', '/etc/passwd', 'sub/../../x', '..']) {
      const dir = await edit((m) => ((m.shards as { file: string }[])[0]!.file = bad))
      await expect(TokenStore.open(dir), bad).rejects.toMatchObject({ code: 'bad-manifest', message: expect.stringContaining('shards[0].file must be a plain file name') })
    }
    const dir = await edit((m) => ((m.index as { file: string }).file = '../index.bin'))
    await expect(TokenStore.open(dir)).rejects.toMatchObject({ code: 'bad-manifest', message: expect.stringContaining('index.file') })
  })

  it('refuses counts that are not integers', async () => {
    const dir = await edit((m) => (m.examples = '20'))
    await expect(TokenStore.open(dir)).rejects.toThrow(/examples must be a non-negative integer, got "20"/)
  })
})

describe('a hostile index', () => {
  it('refuses an example longer than its shard before allocating for it', async () => {
    const dir = join(scratch(), 'store')
    await writeStore(dir, sampleFeatures(5))
    const indexPath = join(dir, 'index.bin')
    const index = new Uint32Array(new Uint8Array(readFileSync(indexPath)).buffer)
    index[2] = 0xfffffff0 // example 0: four billion positions
    writeFileSync(indexPath, new Uint8Array(index.buffer))
    const manifestPath = join(dir, 'manifest.json')
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'))
    m.index.sha256 = createHash('sha256').update(readFileSync(indexPath)).digest('hex')
    writeFileSync(manifestPath, JSON.stringify(m))
    const store = await TokenStore.open(dir)
    await expect(store.get(0)).rejects.toMatchObject({ code: 'bad-index', message: expect.stringContaining('ends past its shard') })
    await store.close()
  })
})
