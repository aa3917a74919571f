import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { TokenStore } from '../store/token-store'
import type { PrepareReport } from './prepare-report'
import { prepareStore } from './prepare-store'
import { ShardError } from './shard-error'
import { parseShard } from './shard-spec'
import { finishShard, mergeStores, prepareShard, shardDir } from './sharded-prepare'

const scratch = () => mkdtempSync(join(tmpdir(), 'dialogpt-shards-'))

/** Every file of a store directory, by name, as bytes. */
function storeFiles(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f))]))
}

describe('shard specs', () => {
  it('parse I/N and refuse what cannot be', async () => {
    expect(parseShard('2/7')).toEqual({ index: 2, count: 7 })
    expect(() => parseShard('7/7x')).toThrow(ShardError)
    const work = scratch()
    await expect(prepareShard({ inputs: ['x'], work, shard: { index: 7, count: 7 } })).rejects.toThrow('shard: the shard index must be an integer from 0 to 6, got 7')
    await expect(prepareShard({ inputs: ['x'], work, shard: { index: 0, count: 300 } })).rejects.toThrow('300 shards need at least as many thread partitions (grouping.partitions is 256)')
  })
})

describe('a file with no usable record', () => {
  it('is refused over all shards at the merge, as one process refuses it, with the first malformed line', async () => {
    const dir = scratch()
    const good = join(dir, 'good.jsonl')
    const bad = join(dir, 'bad.jsonl')
    writeFileSync(good, '{"id":"a1","parent_id":"t3_x","link_id":"t3_x","body":"hello there friend","score":3}\n')
    writeFileSync(bad, '{"id":"b1","link_id":"t3_y"\nnot json at all\n{"link_id":"t3_z","oops"\n')
    await expect(prepareStore({ inputs: [good, bad], out: join(dir, 'single') })).rejects.toThrow(`${bad}: none of its 3 records is a usable Reddit comment record (line 1:`)
    const work = join(dir, 'work')
    for (let index = 0; index < 3; index++) await prepareShard({ inputs: [good, bad], work, shard: { index, count: 3 } })
    for (let index = 0; index < 3; index++) await finishShard({ work, shard: { index, count: 3 } })
    await expect(mergeStores({ work, out: join(dir, 'merged') })).rejects.toThrow(`${bad}: none of its 3 records is a usable Reddit comment record (line 1:`)
    expect(existsSync(join(dir, 'merged'))).toBe(false)
  })
})

describeShared('sharded preparation equals one process on the real Pushshift months', ['data', 'pushshift-reddit-comments-2005-12_2006-01'], () => {
  const dir = sharedPath('data', 'pushshift-reddit-comments-2005-12_2006-01')
  const inputs = [join(dir, 'RC_2005-12.zst'), join(dir, 'RC_2006-01.zst')]
  // A blandness threshold this small corpus reaches, so that the rule depends on every shard's counts.
  const options = { inputs, filters: { blandness: { minCount: 1, fraction: 0.5 } } }
  const root = scratch()
  let single: { report: PrepareReport; files: Map<string, Buffer> }

  it('one process (spilling threads to disk) gives the reference store, with bland sessions dropped', async () => {
    const out = join(root, 'single')
    const { report } = await prepareStore({ ...options, out, grouping: { maxInMemory: 500 } })
    single = { report, files: storeFiles(out) }
    expect(report.kept).toBeGreaterThan(50)
    expect(report.dropped.bland).toBeGreaterThan(0)
    // Held in memory, the threads come out in the same canonical order: the same bytes.
    const inMemory = join(root, 'single-in-memory')
    await prepareStore({ ...options, out: inMemory })
    expect(storeFiles(inMemory)).toEqual(single.files)
  })

  it.each([1, 2, 3, 7])('%i shards, merged, give the same store byte for byte, and their reports add up', async (count) => {
    const work = join(root, `work-${count}`)
    const phase1 = []
    for (let index = 0; index < count; index++) phase1.push(await prepareShard({ ...options, work, shard: { index, count } }))
    const partial = []
    for (let index = 0; index < count; index++) partial.push(await finishShard({ work, shard: { index, count } }))
    const out = join(root, `merged-${count}`)
    const { report } = await mergeStores({ work, out })
    expect(storeFiles(out)).toEqual(single.files)
    expect(report).toEqual(single.report)
    // Per shard: lines, comments and sessions split between the shards, each line counted once.
    expect(phase1.reduce((a, p) => a + p.report.comments, 0)).toBe(single.report.comments)
    expect(phase1.reduce((a, p) => a + p.report.lines, 0)).toBe(single.report.lines)
    if (count > 1) expect(phase1.every((p) => p.report.lines < single.report.lines)).toBe(true)
    expect(partial.reduce((a, p) => a + p.report.kept, 0)).toBe(single.report.kept)
    expect(partial.reduce((a, p) => a + p.manifest.examples, 0)).toBe(single.report.examples)
    const store = await TokenStore.open(out)
    await store.verify()
    await store.close()
  })

  it('phase 2 waits for every shard of the run, and merging refuses a missing or foreign shard', async () => {
    const work = join(root, 'incomplete')
    await prepareShard({ ...options, work, shard: { index: 0, count: 2 } })
    await expect(finishShard({ work, shard: { index: 0, count: 2 } })).rejects.toThrow(`${shardDir(work, { index: 1, count: 2 })}: phase 1 of shard 1/2 has not finished (no phase1.json)`)
    await expect(mergeStores({ work, out: join(root, 'never') })).rejects.toThrow(/shard 0\/2 has no finished store/)
    // A shard of the same count but other options is another run.
    await prepareShard({ ...options, filters: { blandness: { minCount: 2, fraction: 0.5 } }, work, shard: { index: 1, count: 2 } })
    await expect(finishShard({ work, shard: { index: 0, count: 2 } })).rejects.toThrow(/belongs to another run/)
    await expect(prepareShard({ ...options, work, shard: { index: 1, count: 2 } })).rejects.toThrow('phase 1 of this shard is already done here')
    expect(existsSync(join(root, 'never'))).toBe(false)
    rmSync(work, { recursive: true, force: true })
  })
})
