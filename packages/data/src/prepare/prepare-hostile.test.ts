import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { emptyReport } from './prepare-report'
import { prepareSessions } from './prepare'
import { prepareStore } from './prepare-store'

/** A small thread: a root and replies, as Pushshift rows with the keys in `order`. */
function rows(order: string[] = ['id', 'parent_id', 'link_id', 'body', 'score', 'subreddit']) {
  const raw = [
    { id: 'a1', parent_id: 't3_x', link_id: 't3_x', body: 'what is the best way to learn how to cook at home', score: 5, subreddit: 'cooking', author: 'u1' },
    { id: 'b1', parent_id: 't1_a1', link_id: 't3_x', body: 'start with the basics and make eggs every day for a week', score: 3, subreddit: 'cooking', author: 'u2' },
    { id: 'c1', parent_id: 't1_b1', link_id: 't3_x', body: 'that is a good idea and then you can try pasta after that', score: 2, subreddit: 'cooking', author: 'u3' },
  ]
  return raw.map((r) => Object.fromEntries(order.map((k) => [k, r[k as keyof typeof r]])))
}

const scratch = () => mkdtempSync(join(tmpdir(), 'prepare-hostile-'))

async function read(file: string, format: 'auto' | 'reddit' = 'auto') {
  const report = emptyReport()
  const sessions = []
  for await (const s of prepareSessions({ inputs: [file], format, applyFilters: false }, report)) sessions.push(s)
  return { report, sessions }
}

describe('input format detection', () => {
  it('reads a Reddit dump whose first line is malformed as Reddit (it looks at more than one line)', async () => {
    const file = join(scratch(), 'dump.jsonl')
    writeFileSync(file, ['{"oops": ', ...rows().map((r) => JSON.stringify(r))].join('\n'))
    const { report, sessions } = await read(file)
    expect(report).toMatchObject({ lines: 4, comments: 3, malformed: 1 })
    expect(sessions.map((s) => s.turns.length)).toEqual([3])
  })

  it("reads a Python json.dump array of BigQuery rows (any key order) as Reddit rows", async () => {
    const file = join(scratch(), 'rows.json')
    const bigQueryRows = rows(['author', 'subreddit', 'score', 'body', 'link_id', 'parent_id', 'id']).map((r) => ({ ...r, score: String(r.score) }))
    writeFileSync(file, JSON.stringify(bigQueryRows))
    const { report, sessions } = await read(file)
    expect(report).toMatchObject({ lines: 3, comments: 3, malformed: 0 })
    expect(sessions).toHaveLength(1)
    // Pretty-printed (json.dump with indent) too.
    writeFileSync(file, JSON.stringify(bigQueryRows, null, 2))
    expect((await read(file)).report).toMatchObject({ comments: 3, malformed: 0 })
  })

  it('decompresses a gzipped JSON row array instead of parsing the compressed bytes', async () => {
    const file = join(scratch(), 'rows.json.gz')
    writeFileSync(file, gzipSync(JSON.stringify(rows())))
    for (const format of ['reddit', 'auto'] as const) expect((await read(file, format)).report, format).toMatchObject({ lines: 3, comments: 3, malformed: 0 })
  })

  it('decompresses gzipped JSON dialogues', async () => {
    const file = join(scratch(), 'dialogues.json.gz')
    writeFileSync(file, gzipSync(JSON.stringify([['hello there', 'hi, how are you?', 'fine thanks']])))
    const { sessions } = await read(file)
    expect(sessions.map((s) => s.turns)).toEqual([['hello there', 'hi, how are you?', 'fine thanks']])
  })
})

describe('a run in which every line is rejected is an error, not "kept: 0"', () => {
  it('throws a DumpError naming the file and the first reason, and writes no store', async () => {
    const dir = scratch()
    const file = join(dir, 'garbage.jsonl')
    writeFileSync(file, 'not json\n{"id": 1}\n[1, 2\n')
    const out = join(dir, 'store')
    await expect(prepareStore({ inputs: [file], out, format: 'reddit' })).rejects.toMatchObject({
      name: 'DumpError',
      code: 'bad-format',
      message: expect.stringMatching(/garbage\.jsonl: none of its 3 records is a usable Reddit comment record \(line 1: .*\)/),
    })
    expect(existsSync(join(out, 'manifest.json'))).toBe(false)
  })

  it('does the same for train.tsv input', async () => {
    const file = join(scratch(), 'bad.tsv')
    writeFileSync(file, 'no tab here\nnor here\n')
    await expect(read(file)).rejects.toThrow(/bad\.tsv: none of its 2 records is a usable train\.tsv record/)
  })
})
