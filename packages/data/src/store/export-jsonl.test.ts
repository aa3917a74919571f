import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { exportStoreJsonl } from './export-jsonl'
import { writeStore } from './store-writer'

it('writes the store as JSON lines of input_ids and lm_labels, example i to rank i mod worldSize', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dialogpt-export-'))
  const examples = Array.from({ length: 7 }, (_, i) => ({ inputIds: [i, i + 1, 50256], labels: [-1, i + 1, 50256] }))
  await writeStore(join(dir, 'store'), examples)
  const out = join(dir, 'jsonl')
  const result = await exportStoreJsonl(join(dir, 'store'), out, { worldSize: 3 })
  expect(result.files).toEqual([
    { file: 'train-00000-of-00003.jsonl', examples: 3 },
    { file: 'train-00001-of-00003.jsonl', examples: 2 },
    { file: 'train-00002-of-00003.jsonl', examples: 2 },
  ])
  expect(readdirSync(out).sort()).toEqual(result.files.map((f) => f.file))
  const rank1 = readFileSync(join(out, 'train-00001-of-00003.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  expect(rank1).toEqual([examples[1]!, examples[4]!].map((e) => ({ input_ids: e.inputIds, lm_labels: e.labels })))
  await expect(exportStoreJsonl(join(dir, 'store'), out, { worldSize: 0 })).rejects.toThrow('worldSize must be a positive integer, got 0')
})
