import { expect, it } from 'vitest'
import { mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RedditComment } from './comment'
import { DumpError } from '../input/dump-error'
import { groupByThread } from './group-threads'

function comments(n: number): RedditComment[] {
  return Array.from({ length: n }, (_, i) => {
    const c: RedditComment = { id: `c${i}`, parentId: i % 3 ? `c${i - 1}` : `t${i % 7}`, linkId: `t${i % 7}`, body: `comment "${i}"\nwith \\ and é, 3,x -1, and a lone surrogate \ud800`, score: i % 5 ? i : null }
    if (i % 2) c.author = `user${i}`
    if (i % 4) c.subreddit = 'AskReddit'
    if (i % 3) c.createdUtc = 1136074029 + i
    return c
  })
}

async function collect(input: RedditComment[], maxInMemory: number): Promise<Map<string, RedditComment[]>> {
  async function* source() {
    yield input.slice(0, 10)
    for (const c of input.slice(10)) yield c
  }
  const out = new Map<string, RedditComment[]>()
  for await (const thread of groupByThread(source(), { maxInMemory, partitions: 5 })) {
    expect(out.has(thread[0]!.linkId)).toBe(false) // each thread comes out once, whole
    out.set(thread[0]!.linkId, thread)
  }
  return out
}

it('groups by thread in input order, and spilling to disk gives exactly the same threads and fields', async () => {
  const input = comments(200)
  const inMemory = await collect(input, 1000)
  const spilled = await collect(input, 20)
  expect(inMemory.size).toBe(7)
  for (const [linkId, thread] of inMemory) {
    expect(thread).toEqual(input.filter((c) => c.linkId === linkId))
    expect(spilled.get(linkId)).toEqual(thread)
  }
  expect(spilled.size).toBe(inMemory.size)
})

it('spills a comment bigger than a write block whole', async () => {
  const input = comments(30)
  input[7]!.body = `${'long '.repeat(20_000)}\ud83d\ude00 and \udc00`
  const spilled = await collect(input, 5)
  expect(spilled.get(input[7]!.linkId)).toEqual(input.filter((c) => c.linkId === input[7]!.linkId))
})

it('names a spill file that was damaged while grouping ran', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'dialogpt-group-test-'))
  try {
    async function* source() {
      yield comments(200)
    }
    const threads = groupByThread(source(), { maxInMemory: 20, partitions: 5, tmpDir: tmp })
    await threads.next() // all spilled, partition files closed, the first being read
    const [dir] = await readdir(tmp)
    for (const f of await readdir(join(tmp, dir!))) {
      const file = join(tmp, dir!, f)
      await truncate(file, Math.max(0, (await stat(file)).size - 7))
    }
    let error: unknown
    try {
      for await (const t of threads) void t
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DumpError)
    expect((error as DumpError).code).toBe('spill-failed')
    expect((error as DumpError).message).toMatch(/part-\d\.spill: spill file is corrupt at byte \d+/)
    expect(await readdir(tmp)).toEqual([]) // spill files removed on error too
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
})
