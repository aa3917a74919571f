import { describe, expect, it } from 'vitest'
import { MemoryExamples } from '../store/example'
import { Batcher, padBatch } from './batcher'

function examples(lengths: number[]) {
  return new MemoryExamples(lengths.map((n, i) => ({ inputIds: Array.from({ length: n }, (_, t) => 1000 * i + t + 1), labels: Array.from({ length: n }, (_, t) => (t === 0 ? -1 : 1000 * i + t + 1)) })))
}

const lengths = Array.from({ length: 500 }, (_, i) => 1 + ((i * 37) % 61))

describe('Batcher', () => {
  it('never exceeds the token budget and covers every example exactly once per epoch', () => {
    const b = new Batcher(examples(lengths), { tokensPerBatch: 128, seed: 7, bucketBatches: 4 })
    for (const epoch of [0, 1, 2]) {
      const seen: number[] = []
      for (const rows of b.plan(epoch)) {
        const longest = Math.max(...rows.map((i) => lengths[i]!))
        expect(longest * rows.length).toBeLessThanOrEqual(128)
        seen.push(...rows)
      }
      expect(seen.sort((x, y) => x - y)).toEqual(lengths.map((_, i) => i))
    }
  })

  it('respects a fixed batch size together with a budget', () => {
    const b = new Batcher(examples(lengths), { batchSize: 3, tokensPerBatch: 100 })
    for (const rows of b.plan(0)) {
      expect(rows.length).toBeLessThanOrEqual(3)
      expect(Math.max(...rows.map((i) => lengths[i]!)) * rows.length).toBeLessThanOrEqual(100)
    }
  })

  it('groups similar lengths (less padding than random batches)', () => {
    const b = new Batcher(examples(lengths), { batchSize: 8, seed: 1 })
    const padded = b.plan(0).reduce((a, rows) => a + Math.max(...rows.map((i) => lengths[i]!)) * rows.length, 0)
    const real = lengths.reduce((a, n) => a + n, 0)
    expect(padded / real).toBeLessThan(1.1)
  })

  it('is reproducible from the seed, differs between epochs and seeds', () => {
    const a = new Batcher(examples(lengths), { batchSize: 4, seed: 3 })
    const b = new Batcher(examples(lengths), { batchSize: 4, seed: 3 })
    const c = new Batcher(examples(lengths), { batchSize: 4, seed: 4 })
    expect(a.plan(0)).toEqual(b.plan(0))
    expect(a.plan(1)).not.toEqual(a.plan(0))
    expect(c.plan(0)).not.toEqual(a.plan(0))
  })

  it('restarting from a saved position continues the same order, across the epoch boundary', async () => {
    const b = new Batcher(examples(lengths.slice(0, 40)), { batchSize: 4, seed: 5 })
    const straight: number[][] = []
    const it1 = b.batches()
    let saved = { epoch: 0, batch: 0 }
    for (let k = 0; k < 25; k++) {
      const { batch, next } = (await it1.next()).value!
      straight.push(batch.examples)
      if (k === 12) saved = next
    }
    const resumed: number[][] = []
    const it2 = new Batcher(examples(lengths.slice(0, 40)), { batchSize: 4, seed: 5 }).batches(saved)
    for (let k = 13; k < 25; k++) resumed.push((await it2.next()).value!.batch.examples)
    expect(resumed).toEqual(straight.slice(13))
    expect(b.batchesIn(0)).toBe(10)
  })

  it('splits batches between ranks without overlap', () => {
    const all = new Batcher(examples(lengths), { batchSize: 4, seed: 9 }).plan(0)
    const r0 = new Batcher(examples(lengths), { batchSize: 4, seed: 9, rank: 0, worldSize: 3 }).plan(0)
    const r1 = new Batcher(examples(lengths), { batchSize: 4, seed: 9, rank: 1, worldSize: 3 }).plan(0)
    const r2 = new Batcher(examples(lengths), { batchSize: 4, seed: 9, rank: 2, worldSize: 3 }).plan(0)
    expect([...r0, ...r1, ...r2].flat().sort((x, y) => x - y)).toEqual(all.flat().sort((x, y) => x - y))
    expect(new Set([...r0.flat(), ...r1.flat()]).size).toBe(r0.flat().length + r1.flat().length)
  })

  it('excludes and lists examples over maxLength or the budget', () => {
    const b = new Batcher(examples([5, 50, 10, 300]), { tokensPerBatch: 100, maxLength: 40 })
    expect(b.excluded).toEqual([1, 3])
    expect(b.plan(0).flat().sort()).toEqual([0, 2])
  })

  it('rejects bad options clearly', () => {
    expect(() => new Batcher(examples([3]), {})).toThrow(/tokensPerBatch or batchSize/)
    expect(() => new Batcher(examples([3]), { batchSize: 0 })).toThrow(/batchSize must be a positive integer/)
    expect(() => new Batcher(examples([3]), { batchSize: 2, rank: 2, worldSize: 2 })).toThrow(/rank/)
    expect(() => new Batcher(examples([50]), { tokensPerBatch: 10 })).toThrow(/no example fits/)
  })

  it('pads ids with 0 and labels with -1 and counts tokens', () => {
    const b = padBatch([4, 9], [
      { inputIds: [1, 2, 3], labels: [-1, 3, 7] },
      { inputIds: [5], labels: [6] },
    ])
    expect(b.inputIds).toEqual([
      [1, 2, 3],
      [5, 0, 0],
    ])
    expect(b.labels).toEqual([
      [-1, 3, 7],
      [6, -1, -1],
    ])
    expect([b.labelledTokens, b.realTokens, b.examples]).toEqual([3, 4, [4, 9]])
  })
})
