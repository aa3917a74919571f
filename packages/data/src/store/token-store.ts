import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, readFile, stat, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from './crc32'
import type { ExampleSource, TrainingExample } from './example'
import { INDEX_FIELDS, STORE_FORMAT, STORE_VERSION, type StoreManifest } from './manifest'
import { StoreError } from './store-error'

/**
 * A token store opened for reading. Opening reads only `manifest.json` and `index.bin` (and checks
 * the index's SHA-256 and every shard's size); examples are read on demand, each checked against
 * its CRC-32, so a corrupted shard is reported by name when the damaged example is read. Use
 * {@link TokenStore.verify} to hash every shard up front.
 */
export class TokenStore implements ExampleSource {
  private readonly handles = new Map<number, Promise<FileHandle>>()

  private constructor(
    readonly dir: string,
    readonly manifest: StoreManifest,
    private readonly index: Uint32Array,
  ) {}

  /** Opens the store at `dir`. Throws {@link StoreError} if it is missing, incomplete or damaged. */
  static async open(dir: string): Promise<TokenStore> {
    const manifestPath = join(dir, 'manifest.json')
    let text: string
    try {
      text = await readFile(manifestPath, 'utf8')
    } catch {
      try {
        await stat(dir)
      } catch {
        throw new StoreError('not-found', dir, 'no token store here (the directory does not exist)')
      }
      throw new StoreError('incomplete', manifestPath, 'missing: this is not a complete token store (its build was interrupted, or it is not a store)')
    }
    let manifest: StoreManifest
    try {
      manifest = JSON.parse(text) as StoreManifest
    } catch (error) {
      throw new StoreError('bad-manifest', manifestPath, `not valid JSON (${(error as Error).message})`)
    }
    if (manifest.format !== STORE_FORMAT) throw new StoreError('bad-manifest', manifestPath, `not a token store manifest (format ${JSON.stringify(manifest.format)})`)
    if (manifest.version !== STORE_VERSION) throw new StoreError('bad-manifest', manifestPath, `store version ${manifest.version} is not supported (this library reads version ${STORE_VERSION})`)
    if (manifest.complete !== true) throw new StoreError('incomplete', manifestPath, 'the store is marked incomplete')
    checkManifest(manifest, manifestPath)
    const indexPath = join(dir, manifest.index.file)
    let bytes: Buffer
    try {
      bytes = await readFile(indexPath)
    } catch {
      throw new StoreError('bad-index', indexPath, 'missing')
    }
    if (bytes.length !== manifest.index.bytes || createHash('sha256').update(bytes).digest('hex') !== manifest.index.sha256) {
      throw new StoreError('bad-index', indexPath, `does not match the manifest (${bytes.length} bytes, ${manifest.index.bytes} expected, or a different SHA-256): the index is damaged`)
    }
    const index = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))
    if (index.length !== manifest.examples * INDEX_FIELDS) throw new StoreError('bad-index', indexPath, `holds ${index.length / INDEX_FIELDS} entries but the manifest lists ${manifest.examples} examples`)
    for (const shard of manifest.shards) {
      const path = join(dir, shard.file)
      let size: number
      try {
        size = (await stat(path)).size
      } catch {
        throw new StoreError('truncated-shard', path, 'missing')
      }
      if (size !== shard.bytes) throw new StoreError('truncated-shard', path, `is ${size} bytes but the manifest says ${shard.bytes}: the shard is truncated or was changed`)
    }
    return new TokenStore(dir, manifest, index)
  }

  get size(): number {
    return this.manifest.examples
  }

  lengthOf(i: number): number {
    this.check(i)
    return this.index[i * INDEX_FIELDS + 2]!
  }

  async get(i: number): Promise<TrainingExample> {
    this.check(i)
    const [shardNo, offset, length, crc] = this.index.subarray(i * INDEX_FIELDS, (i + 1) * INDEX_FIELDS) as unknown as [number, number, number, number]
    const shard = this.manifest.shards[shardNo]
    const path = join(this.dir, shard?.file ?? `shard ${shardNo}`)
    if (!shard) throw new StoreError('bad-index', join(this.dir, this.manifest.index.file), `example ${i} points at shard ${shardNo}, which the manifest does not list`)
    const width = this.manifest.dtype === 'uint16' ? 2 : 4
    // The index is checked against its hash, but a hand-made store can lie in both: bound the
    // example by its shard before allocating anything sized from it.
    if (offset * width + 2 * length * width > shard.bytes)
      throw new StoreError('bad-index', join(this.dir, this.manifest.index.file), `example ${i} (offset ${offset}, length ${length}) ends past its shard ${shard.file} (${shard.bytes} bytes)`)
    const bytes = new Uint8Array(2 * length * width)
    const handle = await this.handle(shardNo, path)
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, offset * width)
    if (bytesRead !== bytes.length) throw new StoreError('truncated-shard', path, `example ${i} ends past the end of the shard (read ${bytesRead} of ${bytes.length} bytes)`)
    if (crc32(bytes) !== crc) throw new StoreError('corrupt-example', path, `example ${i} (offset ${offset * width}, ${bytes.length} bytes) fails its CRC-32 check: the shard is corrupted`)
    const values = width === 2 ? new Uint16Array(bytes.buffer) : new Int32Array(bytes.buffer)
    const inputIds = Array.from(values.subarray(0, length))
    const labels = Array.from(values.subarray(length), (y) => (width === 2 && y === 65535 ? -1 : y))
    return { inputIds, labels }
  }

  /** Hashes every shard and compares with the manifest; throws {@link StoreError} naming the first bad one. */
  async verify(): Promise<void> {
    for (const shard of this.manifest.shards) {
      const path = join(this.dir, shard.file)
      const hash = createHash('sha256')
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
      if (hash.digest('hex') !== shard.sha256) throw new StoreError('corrupt-example', path, 'SHA-256 differs from the manifest: the shard is corrupted')
    }
  }

  /** Closes the shard files. */
  async close(): Promise<void> {
    const handles = [...this.handles.values()]
    this.handles.clear()
    await Promise.all(handles.map(async (h) => (await h).close()))
  }

  private handle(shard: number, path: string): Promise<FileHandle> {
    let h = this.handles.get(shard)
    if (!h) {
      h = open(path, 'r').catch((error: Error) => {
        this.handles.delete(shard)
        throw new StoreError('truncated-shard', path, `cannot be opened (${error.message})`)
      })
      this.handles.set(shard, h)
    }
    return h
  }

  private check(i: number): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.manifest.examples)) throw new RangeError(`example ${i} is outside [0, ${this.manifest.examples}) of the store at ${this.dir}`)
  }
}

/**
 * The manifest fields opening and reading use, type-checked before any is used: an unsupported
 * `dtype` is refused here rather than making every read fail as "corrupted", and file names must be
 * plain names inside the store directory (a manifest cannot make the store read `../../elsewhere`).
 */
function checkManifest(m: StoreManifest, path: string): void {
  const bad = (field: string, why: string): never => {
    throw new StoreError('bad-manifest', path, `${field} ${why}`)
  }
  if (m.dtype !== 'uint16' && m.dtype !== 'int32') bad('dtype', `is ${JSON.stringify(m.dtype)}: this library reads 'uint16' and 'int32' stores`)
  for (const field of ['examples', 'tokens', 'labelledTokens'] as const)
    if (!Number.isSafeInteger(m[field]) || m[field] < 0) bad(field, `must be a non-negative integer, got ${JSON.stringify(m[field])}`)
  const file = (field: string, entry: unknown) => {
    const e = entry as { file?: unknown; bytes?: unknown; sha256?: unknown } | null
    if (!e || typeof e !== 'object') bad(field, 'must be an object with file, bytes and sha256')
    if (typeof e!.file !== 'string' || !/^[\w.-]+$/.test(e!.file) || e!.file === '.' || e!.file === '..')
      bad(`${field}.file`, `must be a plain file name inside the store directory, got ${JSON.stringify(e!.file)}`)
    if (!Number.isSafeInteger(e!.bytes) || (e!.bytes as number) < 0) bad(`${field}.bytes`, `must be a non-negative integer, got ${JSON.stringify(e!.bytes)}`)
    if (typeof e!.sha256 !== 'string') bad(`${field}.sha256`, 'must be a string')
  }
  file('index', m.index)
  if (!Array.isArray(m.shards)) bad('shards', 'must be an array')
  m.shards.forEach((shard, i) => {
    file(`shards[${i}]`, shard)
    if (!Number.isSafeInteger(shard.examples) || shard.examples < 0) bad(`shards[${i}].examples`, `must be a non-negative integer, got ${JSON.stringify(shard.examples)}`)
  })
}
