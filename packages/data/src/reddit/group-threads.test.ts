import { expect, it } from 'vitest'
import type { RedditComment } from './comment'
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
