import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { TokenStore } from './token-store'

/** Options of {@link exportStoreJsonl}. */
export interface ExportJsonlOptions {
  /** Ranks to split into: example `i` goes to rank `i mod worldSize` (DialoGPT's loader takes `[rank::world_size]`). Default 1. */
  worldSize?: number
}

/** What {@link exportStoreJsonl} wrote: one file per rank, with its example count. */
export interface JsonlExport {
  files: { file: string; examples: number }[]
  examples: number
}

/** `train-00003-of-00008.jsonl`, as Hugging Face datasets names shards. */
export function jsonlShardName(rank: number, worldSize: number): string {
  return `train-${String(rank).padStart(5, '0')}-of-${String(worldSize).padStart(5, '0')}.jsonl`
}

async function writeLine(stream: WriteStream, line: string): Promise<void> {
  if (!stream.write(line)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()))
}

/**
 * Writes a token store as JSON lines that PyTorch loaders (and Hugging Face `datasets`:
 * `load_dataset('json', data_files=…)`) read without our code: one object per example,
 * `{"input_ids": [...], "lm_labels": [...]}` in DialoGPT's conventions (`lm_labels[t]` is what
 * position `t` predicts, already shifted; `-1` is not trained), unpadded, one file per rank. The
 * files appear whole or not at all (written beside, then renamed); every example is checked against
 * its CRC as it is read.
 */
export async function exportStoreJsonl(storeDir: string, outDir: string, options: ExportJsonlOptions = {}): Promise<JsonlExport> {
  const worldSize = options.worldSize ?? 1
  if (!Number.isInteger(worldSize) || worldSize < 1) throw new RangeError(`worldSize must be a positive integer, got ${worldSize}`)
  const store = await TokenStore.open(storeDir)
  await mkdir(outDir, { recursive: true })
  const names = Array.from({ length: worldSize }, (_, r) => jsonlShardName(r, worldSize))
  const streams = names.map((n) => createWriteStream(join(outDir, `${n}.partial`)))
  const counts = new Array<number>(worldSize).fill(0)
  try {
    for (let i = 0; i < store.size; i++) {
      const e = await store.get(i)
      await writeLine(streams[i % worldSize]!, `{"input_ids":${JSON.stringify(e.inputIds)},"lm_labels":${JSON.stringify(e.labels)}}\n`)
      counts[i % worldSize]!++
    }
    await Promise.all(streams.map((s) => new Promise<void>((resolve, reject) => s.end((error?: Error | null) => (error ? reject(error) : resolve())))))
    await Promise.all(names.map((n) => rename(join(outDir, `${n}.partial`), join(outDir, n))))
  } catch (error) {
    streams.forEach((s) => s.destroy())
    throw error
  } finally {
    await store.close()
  }
  return { files: names.map((file, r) => ({ file, examples: counts[r]! })), examples: store.size }
}
