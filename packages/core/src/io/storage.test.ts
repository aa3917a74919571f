import { createHash } from 'node:crypto'
import { expect, it } from 'vitest'
import { withSource, writePieces, type Storage } from './storage'

/** A storage with only the required methods (no openSource / openWriter), in memory, as a browser's would be. */
function memoryStorage(): Storage & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>()
  const missing = (path: string) => Object.assign(new Error(`${path}: no such file`), { code: 'ENOENT' })
  return {
    files,
    readFile: async (path) => files.get(path) ?? Promise.reject(missing(path)),
    stat: async (path) => (files.has(path) ? { size: files.get(path)!.length, isDirectory: false } : null),
    list: async () => [],
    makeDir: async () => undefined,
    writeFile: async (path, data) => void files.set(path, typeof data === 'string' ? new TextEncoder().encode(data) : data.slice()),
    appendFile: async () => undefined,
    rename: async () => undefined,
    remove: async (path) => void files.delete(path),
    join: (...parts) => parts.join('/'),
    ownerTag: () => 'test',
    isStale: () => false,
    sha256() {
      const h = createHash('sha256')
      return { update: (b) => void h.update(b), digest: () => h.digest('hex') }
    },
  }
}

it('writes pieces as one file, with its size and SHA-256, on a storage that cannot write in pieces', async () => {
  const storage = memoryStorage()
  const pieces = [Uint8Array.from([1, 2, 3]), new Uint8Array(0), Uint8Array.from([4, 5])]
  const written = await writePieces(storage, 'a.bin', pieces)
  expect([...storage.files.get('a.bin')!]).toEqual([1, 2, 3, 4, 5])
  expect(written).toEqual({ bytes: 5, sha256: createHash('sha256').update(Uint8Array.from([1, 2, 3, 4, 5])).digest('hex') })
})

it('reads a file as a source through readFile on a storage that has no random access', async () => {
  const storage = memoryStorage()
  storage.files.set('b.bin', Uint8Array.from([9, 8, 7, 6]))
  expect(await withSource(storage, 'b.bin', (source) => [source.length, ...source.read(1, 2)])).toEqual([4, 8, 7])
  await expect(withSource(storage, 'nope.bin', () => 0)).rejects.toThrow(/nope\.bin: no such file/)
})
