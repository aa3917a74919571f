import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { TokenStore } from '../store/token-store'
import { parseCommentLine, type RedditComment } from './comment'
import { DumpError } from '../input/dump-error'
import { readDumpLines } from '../input/open-dump'
import { prepareSessions, type PreparedSession } from '../prepare/prepare'
import { prepareStore } from '../prepare/prepare-store'
import { emptyReport, type PrepareReport } from '../prepare/prepare-report'
import { readComments } from './read-comments'
import { threadSessions } from './sessions'

const months = sharedPath('pushshift-reddit-comments-2005-12_2006-01')
const dumps = ['RC_2005-12', 'RC_2006-01']
const scratch = () => mkdtempSync(join(tmpdir(), 'dialogpt-reddit-'))

async function run(inputs: string[], extra: Parameters<typeof prepareSessions>[0] = { inputs: [] }): Promise<{ sessions: PreparedSession[]; report: PrepareReport }> {
  const report = emptyReport()
  const sessions: PreparedSession[] = []
  for await (const s of prepareSessions({ ...extra, inputs }, report)) sessions.push(s)
  return { sessions, report }
}

const words = (t: string) => t.replace(/\\/g, '').replace(/[\n\r\t]/g, ' ').split(/\s+/).filter(Boolean).length

describeShared('Reddit dumps end to end', ['data', 'pushshift-reddit-comments-2005-12_2006-01'], () => {
  const zst = dumps.map((m) => join(sharedPath('data', 'pushshift-reddit-comments-2005-12_2006-01'), `${m}.zst`))
  const raw: RedditComment[] = dumps.flatMap((m) =>
    readFileSync(join(sharedPath('data', 'pushshift-reddit-comments-2005-12_2006-01'), `${m}.jsonl`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (parseCommentLine(l) as { comment: RedditComment }).comment),
  )
  const byId = new Map(raw.map((c) => [c.id, c]))
  void months

  it('streams the .zst files (2 GiB window) to exactly the published lines', async () => {
    let n = 0
    for await (const { text } of readDumpLines(zst[1]!)) {
      n++
      expect(parseCommentLine(text)).toHaveProperty('comment')
    }
    expect(n).toBe(3666)
  })

  it('every kept session is a real parent-before-child path with no deleted, quoting or over-long turn, and the counts add up', async () => {
    const { sessions, report } = await run(zst, { inputs: [], filters: { blandness: false }, normalize: false })
    expect(report.lines).toBe(raw.length)
    expect(report.lines).toBe(report.comments + report.malformed)
    expect(report.sessions).toBe(report.kept + Object.values(report.dropped).reduce((a, b) => a + b, 0))
    expect(report.kept).toBe(sessions.length)
    expect(sessions.length).toBeGreaterThan(50)
    const parents = new Set(raw.filter((c) => c.body !== '[deleted]' && !c.body.includes('>') && !c.body.includes('&gt;') && words(c.body) >= 2).map((c) => c.parentId))
    for (const s of sessions) {
      expect(s.ids!.length).toBeGreaterThanOrEqual(2)
      expect(s.ids!.length).toBeLessThanOrEqual(5)
      s.ids!.forEach((id, k) => {
        const c = byId.get(id)!
        expect(c.linkId).toBe(s.linkId)
        if (k > 0) expect(c.parentId).toBe(s.ids![k - 1])
        expect(c.body.trim()).not.toBe('[deleted]')
        expect(c.body).not.toMatch(/>|&gt;/)
        expect(words(c.body)).toBeLessThanOrEqual(30)
        expect(words(c.body)).toBeGreaterThanOrEqual(2)
      })
      expect(parents.has(s.ids!.at(-1)!)).toBe(false) // the target is a leaf
      const top = byId.get(s.ids![0]!)!
      const parent = byId.get(top.parentId)
      // the path starts at the thread root, or where the chain was cut (5 turns, or a dropped / too-long parent)
      const cut = s.ids!.length === 5 || !parent || parent.body.trim() === '[deleted]' || /[>]|&gt;/.test(parent.body) || words(parent.body) > 30 || words(parent.body) < 2
      expect(cut || top.parentId === s.linkId).toBe(true)
    }
  })

  it('gives the same result from .zst, .jsonl, gzip, bzip2 and xz inputs, and with grouping spilled to disk', async () => {
    const dir = scratch()
    const plain = dumps.map((m) => join(sharedPath('data', 'pushshift-reddit-comments-2005-12_2006-01'), `${m}.jsonl`))
    const variants: Record<string, string[]> = { zst, plain }
    for (const [tool, ext] of [
      ['gzip', 'gz'],
      ['bzip2', 'bz2'],
      ['xz', 'xz'],
    ] as const) {
      variants[tool] = plain.map((p, i) => {
        const copy = join(dir, `${dumps[i]}.jsonl`)
        copyFileSync(p, copy)
        execFileSync(tool, ['-kf', copy])
        return `${copy}.${ext}`
      })
    }
    const reference = await run(zst)
    for (const [name, inputs] of Object.entries(variants)) {
      const got = await run(inputs)
      expect(got.report, name).toEqual(reference.report)
    }
    const spilled = await run(zst, { inputs: [], grouping: { maxInMemory: 200, partitions: 7 } })
    const key = (s: PreparedSession) => s.ids!.join('/')
    expect(spilled.sessions.map(key).sort()).toEqual(reference.sessions.map(key).sort())
    expect(spilled.report).toEqual(reference.report)
  })

  it('writes the store with the report, and every example reads back', async () => {
    const out = join(scratch(), 'store')
    const { report, manifest } = await prepareStore({ inputs: zst, out })
    expect(manifest.examples).toBe(report.examples)
    expect(report.examples).toBeGreaterThanOrEqual(report.kept)
    const store = await TokenStore.open(out)
    expect(store.manifest.meta.report).toEqual(JSON.parse(JSON.stringify(report)))
    for (let i = 0; i < store.size; i++) {
      const e = await store.get(i)
      expect(e.inputIds.length).toBe(e.labels.length)
      expect(e.labels.some((y) => y !== -1)).toBe(true)
    }
    await store.close()
  })
})

describe('dump reading errors', () => {
  it('counts a malformed line with its file and line number, and goes on', async () => {
    const file = join(scratch(), 'bad.jsonl')
    const good = (id: string, parent: string, body: string) => JSON.stringify({ id, parent_id: parent, link_id: 't3_x', body, score: 2 })
    writeFileSync(file, [good('a', 't3_x', 'hello there friend'), '{not json', JSON.stringify({ id: 'q', body: 'x' }), good('b', 't1_a', 'hello to you too')].join('\n'))
    const seen: string[] = []
    const { report, sessions } = await run([file], { inputs: [], onMalformed: (m) => void seen.push(`${m.file}:${m.line}: ${m.reason}`) })
    expect(report).toMatchObject({ lines: 4, comments: 2, malformed: 2, sessions: 1, kept: 1 })
    expect(seen[0]).toMatch(/bad\.jsonl:2: invalid JSON/)
    expect(seen[1]).toMatch(/bad\.jsonl:3: field 'parent_id' is missing/)
    expect(sessions[0]!.turns).toEqual(['hello there friend', 'hello to you too'])
  })

  it('names a truncated zstd file', async () => {
    const dir = scratch()
    const file = join(dir, 'x.jsonl')
    writeFileSync(file, 'some text\n'.repeat(1000))
    execFileSync('zstd', ['-q', file, '-o', `${file}.zst`])
    const bytes = readFileSync(`${file}.zst`)
    writeFileSync(`${file}.zst`, bytes.subarray(0, bytes.length - 10))
    const error = await (async () => {
      for await (const _ of readDumpLines(`${file}.zst`)) void _
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DumpError)
    expect((error as DumpError).code).toBe('decompress-failed')
    expect((error as Error).message).toContain('x.jsonl.zst')
  })

  it('says which command to install when a decoder is missing', async () => {
    const dir = scratch()
    const file = join(dir, 'y.jsonl')
    writeFileSync(file, '{}\n')
    execFileSync('xz', ['-k', file])
    const path = process.env.PATH
    process.env.PATH = join(dir, 'nowhere')
    try {
      const error = await (async () => {
        for await (const _ of readDumpLines(`${file}.xz`)) void _
      })().catch((e: unknown) => e)
      expect((error as DumpError).code).toBe('missing-tool')
      expect((error as Error).message).toMatch(/y\.jsonl\.xz: is xz-compressed and needs the 'xz' command.*apt install xz-utils/)
    } finally {
      process.env.PATH = path
    }
  })

  it('names a missing input', async () => {
    await expect(run(['/nonexistent/RC_2099-01.zst'])).rejects.toThrow(/RC_2099-01\.zst: cannot be opened/)
  })
})

describeShared('BigQuery-style thread rows', ['data', 'polyai-reddit-testdata'], () => {
  it('reads the rows (numbers as strings, any tN_ prefix) and builds the thread paths', async () => {
    const file = sharedPath('data', 'polyai-reddit-testdata', 'simple_thread.json')
    const counts = { lines: 0, comments: 0, malformed: 0 }
    const comments = []
    for await (const c of readComments(file, counts)) comments.push(c)
    expect(counts).toEqual({ lines: 8, comments: 8, malformed: 0 })
    // (the rows' one-word bodies would fail the original's 2-word comment rule, so build the paths directly)
    const paths = threadSessions(comments).map((s) => s.ids.join(' > '))
    // id-B replies to id-A, id-D to id-B, id-E to id-D: the leaf id-E's path starts at the root id-A
    expect(paths).toContain('id-A > id-B > id-D > id-E')
    const thread = sharedPath('data', 'polyai-reddit-testdata', 'thread.json')
    const c2 = { lines: 0, comments: 0, malformed: 0 }
    for await (const c of readComments(thread, c2)) expect(typeof c.score === 'number' || c.score === null).toBe(true)
    expect(c2).toEqual({ lines: 13, comments: 13, malformed: 0 })
  })
})
