import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { crc32 } from './crc32'
import { unpadded } from './example'
import { INDEX_FIELDS, STORE_FORMAT, STORE_VERSION, type StoreManifest } from './manifest'
import { StoreError } from './store-error'

export interface StoreWriterOptions {
  /** Bytes per shard before a new one starts. Default 64 MiB. */
  shardBytes?: number
  /** `uint16` (default; ids must be < 65535) or `int32`. */
  dtype?: 'uint16' | 'int32'
  /** Replace a complete store already at the destination. Default false (refuse). */
  overwrite?: boolean
  /** Stored in the manifest's `meta` (a function is called when the store is finished). */
  meta?: Record<string, unknown> | (() => Record<string, unknown>)
}

interface OpenShard {
  file: string
  handle: FileHandle
  hash: ReturnType<typeof createHash>
  bytes: number
  examples: number
}

/**
 * Builds a token store: examples are appended to shard files in a temporary directory beside the
 * destination; {@link StoreWriter.finish} writes the index and the manifest (with SHA-256 of every
 * file) and renames the directory into place. An interrupted build leaves only the temporary
 * directory, never something that opens as a store.
 */
export class StoreWriter {
  private shard: OpenShard | null = null
  private readonly done: StoreManifest['shards'] = []
  private index: number[] = []
  private tokens = 0
  private labelledTokens = 0
  private finished = false

  private constructor(
    readonly dir: string,
    private readonly temp: string,
    private readonly options: Required<StoreWriterOptions>,
  ) {}

  /** Starts a store at `dir` (refused if a store is already there, unless `overwrite`). */
  static async create(dir: string, options: StoreWriterOptions = {}): Promise<StoreWriter> {
    if (existsSync(join(dir, 'manifest.json')) && !options.overwrite) throw new StoreError('exists', dir, 'a token store already exists here (pass overwrite to replace it)')
    if (options.shardBytes !== undefined && !(Number.isInteger(options.shardBytes) && options.shardBytes > 0 && options.shardBytes <= 2 ** 31)) throw new RangeError(`StoreWriter: shardBytes must be an integer in [1, 2^31], got ${options.shardBytes}`)
    const temp = join(dirname(dir), `.${basename(dir)}.partial-${process.pid}-${Date.now()}`)
    await mkdir(temp, { recursive: true })
    return new StoreWriter(dir, temp, { shardBytes: options.shardBytes ?? 64 * 2 ** 20, dtype: options.dtype ?? 'uint16', overwrite: options.overwrite ?? false, meta: options.meta ?? {} })
  }

  /** Number of examples added so far. */
  get count(): number {
    return this.index.length / INDEX_FIELDS
  }

  /** Appends one example (padding from `makeFeature` is stripped). */
  async add(example: { inputIds: readonly number[]; labels: readonly number[] }): Promise<void> {
    if (this.finished) throw new Error('StoreWriter: already finished')
    const e = unpadded(example)
    const n = e.inputIds.length
    if (n === 0) throw new StoreError('bad-example', this.dir, `example ${this.count} is empty`)
    const bytes = this.encode(e.inputIds, e.labels)
    if (!this.shard || (this.shard.bytes > 0 && this.shard.bytes + bytes.length > this.options.shardBytes)) await this.nextShard()
    const shard = this.shard!
    await shard.handle.writeFile(bytes) // all of it: write() may write only part (a full disk)
    shard.hash.update(bytes)
    const width = this.options.dtype === 'uint16' ? 2 : 4
    this.index.push(this.done.length, shard.bytes / width, n, crc32(bytes))
    shard.bytes += bytes.length
    shard.examples++
    this.tokens += n
    for (const y of e.labels) if (y !== -1) this.labelledTokens++
  }

  private encode(ids: readonly number[], labels: readonly number[]): Uint8Array {
    const n = ids.length
    if (this.options.dtype === 'uint16') {
      const out = new Uint16Array(2 * n)
      for (let i = 0; i < n; i++) {
        const id = ids[i]!
        const y = labels[i]!
        if (!(Number.isInteger(id) && id >= 0 && id < 65535)) throw new StoreError('bad-example', this.dir, `example ${this.count}: token id ${id} at position ${i} does not fit the uint16 store (use dtype 'int32')`)
        if (!(y === -1 || (Number.isInteger(y) && y >= 0 && y < 65535))) throw new StoreError('bad-example', this.dir, `example ${this.count}: label ${y} at position ${i} is not -1 or a uint16 token id`)
        out[i] = id
        out[n + i] = y === -1 ? 65535 : y
      }
      return new Uint8Array(out.buffer)
    }
    const out = new Int32Array(2 * n)
    for (let i = 0; i < n; i++) {
      out[i] = ids[i]!
      out[n + i] = labels[i]!
    }
    return new Uint8Array(out.buffer)
  }

  private async nextShard(): Promise<void> {
    await this.closeShard()
    const file = `shard-${String(this.done.length).padStart(5, '0')}.bin`
    this.shard = { file, handle: await open(join(this.temp, file), 'w'), hash: createHash('sha256'), bytes: 0, examples: 0 }
  }

  private async closeShard(): Promise<void> {
    const s = this.shard
    if (!s) return
    await s.handle.sync()
    await s.handle.close()
    this.done.push({ file: s.file, bytes: s.bytes, sha256: s.hash.digest('hex'), examples: s.examples })
    this.shard = null
  }

  /** Writes the index and manifest and moves the store into place. Returns the manifest. */
  async finish(): Promise<StoreManifest> {
    if (this.finished) throw new Error('StoreWriter: already finished')
    await this.closeShard()
    this.finished = true
    const index = new Uint8Array(new Uint32Array(this.index).buffer)
    await writeFile(join(this.temp, 'index.bin'), index)
    const manifest: StoreManifest = {
      format: STORE_FORMAT,
      version: STORE_VERSION,
      complete: true,
      dtype: this.options.dtype,
      examples: this.count,
      tokens: this.tokens,
      labelledTokens: this.labelledTokens,
      index: { file: 'index.bin', bytes: index.length, sha256: createHash('sha256').update(index).digest('hex') },
      shards: this.done,
      meta: typeof this.options.meta === 'function' ? this.options.meta() : this.options.meta,
    }
    await writeFile(join(this.temp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    if (existsSync(this.dir)) {
      if (!this.options.overwrite && existsSync(join(this.dir, 'manifest.json'))) throw new StoreError('exists', this.dir, 'a token store appeared here while this one was built')
      const old = `${this.temp}.old`
      await rename(this.dir, old)
      await rename(this.temp, this.dir)
      await rm(old, { recursive: true, force: true })
    } else {
      await mkdir(dirname(this.dir), { recursive: true })
      await rename(this.temp, this.dir)
    }
    this.index = []
    return manifest
  }

  /** Abandons the build and removes the temporary directory. */
  async abort(): Promise<void> {
    this.finished = true
    if (this.shard) await this.shard.handle.close().catch(() => undefined)
    this.shard = null
    await rm(this.temp, { recursive: true, force: true })
  }
}

/** Writes `examples` as a store at `dir` in one call. */
export async function writeStore(dir: string, examples: Iterable<{ inputIds: readonly number[]; labels: readonly number[] }> | AsyncIterable<{ inputIds: readonly number[]; labels: readonly number[] }>, options: StoreWriterOptions = {}): Promise<StoreManifest> {
  const writer = await StoreWriter.create(dir, options)
  try {
    for await (const e of examples) await writer.add(e)
    return await writer.finish()
  } catch (error) {
    await writer.abort()
    throw error
  }
}
