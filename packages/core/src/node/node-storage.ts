import { createHash } from 'node:crypto'
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { appendFile, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { withPath } from '../io/file-error'
import type { ClosableByteSource } from '../checkpoint/byte-source'
import type { FileWriter, Storage } from '../io/storage'
import { resolveModelFiles } from './resolve-model'

/** Whether a process with this id runs (and could still be writing). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' // it exists, but belongs to someone else
  }
}

const named = async <T>(path: string, work: () => Promise<T>): Promise<T> => {
  try {
    return await work()
  } catch (error) {
    throw withPath(error, path)
  }
}

/**
 * {@link Storage} on Node's file system. Reads of files over 2 GiB work (Node's `readFile` stops
 * there); writes go through `FileHandle.writeFile`, which writes every byte or fails (a bare
 * `write` may write part of a buffer under a full disk or a file-size limit and report success);
 * errors name the path. Temporaries are tagged `<pid>-<time>`; one whose process is gone is stale.
 */
export const nodeStorage: Storage = {
  readFile: (path) => named(path, () => readLargeFile(path)),
  async stat(path) {
    const s = await stat(path).catch(() => undefined)
    return s ? { size: s.size, isDirectory: s.isDirectory() } : null
  },
  list: (dir) => readdir(dir).catch(() => [] as string[]),
  makeDir: (dir) => named(dir, async () => void (await mkdir(dir, { recursive: true }))),
  writeFile: (path, data, options = {}) =>
    named(path, async () => {
      if (!options.durable) return writeFile(path, data)
      const handle = await open(path, 'w')
      try {
        await handle.writeFile(data)
        await handle.sync()
      } finally {
        await handle.close()
      }
    }),
  appendFile: (path, text) => named(path, () => appendFile(path, text)),
  rename: (from, to) => named(to, () => rename(from, to)),
  remove: (path) => named(path, () => rm(path, { recursive: true, force: true })),
  join: (...parts) => join(...parts),
  ownerTag: () => `${process.pid}-${Date.now()}`,
  isStale(tag) {
    const pid = Number(/^(\d+)/.exec(tag)?.[1])
    return Number.isSafeInteger(pid) && (pid === process.pid || !processAlive(pid))
  },
  sha256() {
    const h = createHash('sha256')
    return { update: (b) => void h.update(b), digest: () => h.digest('hex') }
  },
  resolveModel: (source, options) => resolveModelFiles(source, options),
  openSource: (path) => named(path, async () => fileSource(path)),
  openWriter: (path, options = {}) => named(path, () => fileWriter(path, options.durable ?? false)),
}

/**
 * A file as a {@link ClosableByteSource}: each read is one positioned `readSync` into a fresh
 * buffer (aligned for any typed array), so a file of any size is read a piece at a time.
 */
function fileSource(path: string): ClosableByteSource {
  const fd = openSync(path, 'r')
  const length = fstatSync(fd).size
  let closed = false
  return {
    length,
    read(offset, count) {
      if (closed) throw new Error(`${path}: read after close`)
      const out = new Uint8Array(count)
      for (let at = 0; at < count; ) {
        const n = readSync(fd, out, at, Math.min(2 ** 30, count - at), offset + at)
        if (n === 0) throw withPath(new Error(`the file ended at byte ${offset + at} while reading ${count} bytes at ${offset} (it is ${length} bytes long)`), path)
        at += n
      }
      return out
    },
    close() {
      if (!closed) closeSync(fd)
      closed = true
    },
  }
}

/** A file written in pieces; every piece is written whole (a short write is retried, an error names the path). */
async function fileWriter(path: string, durable: boolean): Promise<FileWriter> {
  const handle = await open(path, 'w')
  return {
    write: (bytes) =>
      named(path, async () => {
        for (let at = 0; at < bytes.length; ) {
          const { bytesWritten } = await handle.write(bytes, at, Math.min(2 ** 30, bytes.length - at))
          if (bytesWritten === 0) throw new Error(`no bytes written at ${at} of ${bytes.length}`)
          at += bytesWritten
        }
      }),
    close: () =>
      named(path, async () => {
        try {
          if (durable) await handle.sync()
        } finally {
          await handle.close()
        }
      }),
  }
}

/** A whole file, read in pieces into one buffer (works past 2 GiB, where `readFile` throws). */
async function readLargeFile(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    if (size < 2 ** 30) {
      // A view of the Buffer's memory, not a copy (`new Uint8Array(buffer)` would copy it).
      const b = await handle.readFile()
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
    }
    const out = new Uint8Array(size)
    for (let at = 0; at < size; ) {
      const { bytesRead } = await handle.read(out, at, Math.min(2 ** 30, size - at), at)
      if (bytesRead === 0) throw new Error(`${path} ended at ${at} of ${size} bytes while being read`)
      at += bytesRead
    }
    return out
  } finally {
    await handle.close()
  }
}

