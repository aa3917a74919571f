import { isAscii } from 'node:buffer'
import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { createGunzip } from 'node:zlib'
import { DumpError } from './dump-error'

/** The compression of a dump, from its first bytes. */
export type Compression = 'zstd' | 'gzip' | 'bzip2' | 'xz' | 'none'

/** Recognises zstd, gzip, bzip2 and xz by their magic numbers (the file name is not trusted). */
export async function detectCompression(file: string): Promise<Compression> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    throw new DumpError('not-found', file, `cannot be opened (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
  try {
    const head = Buffer.alloc(6)
    const { bytesRead } = await handle.read(head, 0, 6, 0)
    const b = head.subarray(0, bytesRead)
    if (b.length >= 4 && b.readUInt32LE(0) === 0xfd2fb528) return 'zstd'
    if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip'
    if (b.length >= 3 && b.toString('latin1', 0, 3) === 'BZh') return 'bzip2'
    if (b.length >= 6 && b.equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz'
    return 'none'
  } finally {
    await handle.close()
  }
}

/**
 * The reference decoders, run as child processes that stream: they keep memory bounded whatever
 * the file size and handle Pushshift's zstd frames, which declare a 2 GiB window (`--long=31`;
 * JavaScript zstd decoders allocate the whole window up front and fail on them).
 */
const TOOLS: Record<Exclude<Compression, 'none' | 'gzip'>, { command: string; args: string[]; install: string }> = {
  zstd: { command: 'zstd', args: ['-dc', '--long=31', '--memory=2048MB'], install: 'zstd (apt install zstd, brew install zstd)' },
  bzip2: { command: 'bzip2', args: ['-dc'], install: 'bzip2 (apt install bzip2)' },
  xz: { command: 'xz', args: ['-dc'], install: 'xz (apt install xz-utils, brew install xz)' },
}

/**
 * The decompressed bytes of a dump as a stream of chunks, whatever its compression: gzip through
 * Node's zlib, zstd / bzip2 / xz through their reference command-line decoders. Errors name the file:
 * a missing decoder, or a decoder that fails (truncated or corrupt input).
 */
export async function* readDump(file: string): AsyncGenerator<Buffer> {
  const compression = await detectCompression(file)
  if (compression === 'none') {
    yield* createReadStream(file) as AsyncIterable<Buffer>
    return
  }
  if (compression === 'gzip') {
    try {
      yield* createReadStream(file).pipe(createGunzip()) as AsyncIterable<Buffer>
    } catch (error) {
      throw new DumpError('decompress-failed', file, `gzip: ${(error as Error).message}`)
    }
    return
  }
  const tool = TOOLS[compression]
  const child = spawn(tool.command, [...tool.args, file], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-2000)))
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new DumpError('missing-tool', file, `is ${compression}-compressed and needs the '${tool.command}' command, which is not installed: install ${tool.install}`) : error),
    )
    child.on('close', resolve)
  })
  exited.catch(() => undefined)
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer
    const code = await exited
    if (code !== 0) throw new DumpError('decompress-failed', file, `${tool.command} failed (exit ${code}): ${stderr.trim() || 'no message'} — the file is truncated or corrupt`)
  } finally {
    if (child.exitCode === null) child.kill()
  }
}

/** A line of a dump with its 1-based line number. */
export interface DumpLine {
  line: number
  text: string
}

/**
 * UTF-8 bytes as text: Latin-1 decoding when they are all ASCII (the same text, several times
 * faster), else UTF-8 with U+FFFD for invalid sequences, as `TextDecoder` does.
 */
function decodeUtf8(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8')
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf])

/**
 * The lines of a dump (any compression), decoded as UTF-8, with their numbers, a chunk's worth at a
 * time (one array per decompressed chunk: far fewer async steps than one per line). Memory holds
 * one chunk and one partial line at a time. Empty lines are skipped (their numbers still count); a
 * byte-order mark at the start is not part of the first line.
 *
 * Lines are cut on the bytes (a newline byte is never inside a UTF-8 sequence), and the complete
 * lines of a chunk are decoded at once; the bytes of a line that goes on in the next chunk wait for it.
 */
export async function* readDumpLineBatches(file: string): AsyncGenerator<DumpLine[]> {
  let line = 0
  let pending: Buffer[] = []
  let first = true
  // Numbers the lines (empty ones too) and keeps the non-empty ones.
  const addLines = (texts: Iterable<string>, out: DumpLine[]) => {
    for (const text of texts) {
      line++
      if (text.trim()) out.push({ line, text })
    }
  }
  for await (let chunk of readDump(file)) {
    if (first && chunk.length > 0) {
      first = false
      if (chunk.subarray(0, 3).equals(BOM)) chunk = chunk.subarray(3)
    }
    const last = chunk.lastIndexOf(0x0a)
    if (last < 0) {
      pending.push(Buffer.from(chunk))
      continue
    }
    const out: DumpLine[] = []
    let start = 0
    if (pending.length > 0) {
      start = chunk.indexOf(0x0a) + 1
      pending.push(chunk.subarray(0, start - 1))
      addLines([decodeUtf8(Buffer.concat(pending))], out)
      pending = []
    }
    if (start <= last) addLines(decodeUtf8(chunk.subarray(start, last)).split('\n'), out)
    if (last + 1 < chunk.length) pending.push(Buffer.from(chunk.subarray(last + 1)))
    if (out.length > 0) yield out
  }
  const out: DumpLine[] = []
  if (pending.length > 0) addLines([decodeUtf8(Buffer.concat(pending))], out)
  if (out.length > 0) yield out
}

/** The lines of a dump one by one (see {@link readDumpLineBatches}). */
export async function* readDumpLines(file: string): AsyncGenerator<DumpLine> {
  for await (const batch of readDumpLineBatches(file)) yield* batch
}

/** The most text {@link readDumpText} returns (V8 strings end near 2^29 characters). */
const MAX_TEXT_BYTES = 512 * 2 ** 20

/**
 * The whole decompressed content of a file as text (any compression, like {@link readDump}): for
 * inputs that are one JSON document (a row array, a dialogue file). A leading byte-order mark is
 * dropped. Larger than 512 MiB is a `bad-format` error that says to use JSON lines instead.
 */
export async function readDumpText(file: string): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of readDump(file)) {
    size += chunk.length
    if (size > MAX_TEXT_BYTES) throw new DumpError('bad-format', file, `is one JSON document larger than ${MAX_TEXT_BYTES / 2 ** 20} MiB decompressed: split it into JSON lines (one record per line), which are streamed`)
    chunks.push(chunk)
  }
  let all = Buffer.concat(chunks)
  if (all.subarray(0, 3).equals(BOM)) all = all.subarray(3)
  return all.toString('utf8')
}
