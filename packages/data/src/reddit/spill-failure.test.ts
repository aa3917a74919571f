import type * as nodeFs from 'node:fs'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it, vi } from 'vitest'
import type { RedditComment } from './comment'
import { DumpError } from '../input/dump-error'
import { groupByThread } from './group-threads'
import { prepareSessions } from '../prepare/prepare'

// Temporary files whose names match are sent to /dev/full, where every write fails with ENOSPC (a full disk).
const fullDisk: { files: RegExp | null } = { files: null }
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof nodeFs>()
  return { ...fs, createWriteStream: (path: string, options?: object) => fs.createWriteStream(fullDisk.files?.test(path) ? '/dev/full' : path, options) }
})

afterEach(() => void (fullDisk.files = null))

const comment = (i: number): RedditComment => ({ id: `c${i}`, parentId: `t${i % 9}`, linkId: `t${i % 9}`, body: `comment ${i} ${'text '.repeat(i % 50)}`, score: 1 })

it.skipIf(!existsSync('/dev/full'))('a spill write that fails (disk full) is a DumpError naming the spill file, and the spill directory is removed', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'dialogpt-spill-test-'))
  try {
    fullDisk.files = /\.spill$/
    async function* source() {
      for (let k = 0; k < 40; k++) yield Array.from({ length: 1000 }, (_, i) => comment(k * 1000 + i))
    }
    let error: unknown
    try {
      for await (const t of groupByThread(source(), { maxInMemory: 100, partitions: 3, tmpDir: tmp })) void t
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DumpError)
    expect((error as DumpError).code).toBe('spill-failed')
    expect((error as DumpError).message).toMatch(/part-\d\.spill: spill file cannot be written \(ENOSPC/)
    expect(await readdir(tmp)).toEqual([])
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
})

it.skipIf(!existsSync('/dev/full'))('a failed write of the sessions waiting for the blandness pass is a DumpError naming the file', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'dialogpt-spill-test-'))
  try {
    // Threads of a question and an answer that pass every filter, so each waits for the blandness pass.
    const rows = Array.from({ length: 400 }, (_, i) => [
      { id: `q${i}`, parent_id: `t3_s${i}`, link_id: `t3_s${i}`, body: `what is the best way to learn number ${i} ?`, score: 3 },
      { id: `a${i}`, parent_id: `t1_q${i}`, link_id: `t3_s${i}`, body: `you should read about it and then try it yourself ${i} times`, score: 2 },
    ]).flat()
    const input = join(tmp, 'comments.jsonl')
    await writeFile(input, rows.map((r) => JSON.stringify(r)).join('\n'))
    let kept = 0
    for await (const s of prepareSessions({ inputs: [input], grouping: { tmpDir: tmp } })) void (s && kept++)
    expect(kept).toBe(400) // the same input goes through when the disk is not full

    fullDisk.files = /sessions\.jsonl$/
    let error: unknown
    try {
      for await (const s of prepareSessions({ inputs: [input], grouping: { tmpDir: tmp } })) void s
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DumpError)
    expect((error as DumpError).code).toBe('spill-failed')
    expect((error as DumpError).message).toMatch(/sessions\.jsonl: spill file cannot be written \(ENOSPC/)
    expect(await readdir(tmp)).toEqual(['comments.jsonl']) // the temporary directory is gone
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
})
