// Data pipeline benchmark on the real Pushshift months (../shared), replicated with fresh ids to
// at least 1M comments: comments/s through read → comment rules → threads → sessions → filters
// (blandness pass included), then sessions/s through encode (GPT-2 BPE, windowing) → token store
// (timed inside the second pass, which runs the whole pipeline streaming).
// Peak resident memory of a read pass is measured in a fresh process (data-child.ts; the kernel's
// max RSS) for 250k, 1M and 2M comments, to show it does not grow with the input.
// Sharded preparation (#21) on the 1M input: `dialogpt prepare` in one process against N local
// worker processes (phase 1 and phase 2 each N processes at once, then merge-stores), wall time
// from the first process started to the merged store, process start-up included; the merged store
// is checked to be the single process's, byte for byte.
import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { emptyReport, turnsToFeatures } from '@dialogpt/data'
import { prepareSessions, StoreWriter } from '@dialogpt/data/node'
import { benchDir, peakRssSampler, printTable, round, sharedDir, summarize, writeResult } from './lib'

export const name = 'data'

const MAX_IN_MEMORY = 100_000
const months = join(sharedDir, 'data', 'pushshift-reddit-comments-2005-12_2006-01')

async function replicate(target: number, file: string): Promise<number> {
  const rows = ['RC_2005-12.jsonl', 'RC_2006-01.jsonl'].flatMap((f) =>
    readFileSync(join(months, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  )
  const out = createWriteStream(file)
  let n = 0
  for (let r = 0; n < target; r++) {
    for (const row of rows) {
      const suffix = `r${r}`
      const line = JSON.stringify({ ...row, id: `${row.id as string}${suffix}`, link_id: `${row.link_id as string}${suffix}`, parent_id: `${row.parent_id as string}${suffix}` })
      if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
      n++
    }
  }
  await new Promise<void>((resolve) => out.end(() => resolve()))
  return n
}

/**
 * Peak memory of one read pass over `file` in a fresh process: in this process the resident set
 * carries the high-water mark of everything before (replicating the input, earlier passes).
 */
function freshProcessPeak(file: string, dir: string): { sampledPeakRss: number; maxRss: number } {
  const child = spawnSync(process.execPath, [...process.execArgv, join(benchDir, 'data-child.ts'), file, dir, String(MAX_IN_MEMORY)], { encoding: 'utf8', maxBuffer: 1 << 24 })
  const last = child.stdout.trim().split('\n').pop() ?? ''
  if (child.status !== 0 || !last.startsWith('{')) throw new Error(`data child failed (exit ${child.status}): ${child.stderr.slice(-2000)}`)
  return JSON.parse(last) as { sampledPeakRss: number; maxRss: number }
}

const fresh = () => emptyReport()

// The built command when there is one (as users run it: 0.7 s less start-up per process than from source).
const built = join(benchDir, '..', 'packages', 'backend-node', 'dist', 'dialogpt.js')
const dialogptArgs = existsSync(built) ? [join(benchDir, '..', 'packages', 'backend-node', 'bin', 'dialogpt.js')] : [...process.execArgv.filter((a) => a !== '--'), join(benchDir, '..', 'packages', 'backend-node', 'src', 'bin', 'dialogpt.ts')]

/** Runs `dialogpt ...args` from source in a child process; resolves when it exits 0. */
function dialogpt(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...dialogptArgs, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`dialogpt ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`))))
  })
}

/** `dialogpt prepare` in one process against N worker processes, on the same file. */
async function shardedRuns(file: string, dir: string, comments: number) {
  const t0 = performance.now()
  await dialogpt(['prepare', '--input', file, '--out', join(dir, 'single')])
  const singleMs = performance.now() - t0
  const single = readFileSync(join(dir, 'single', 'manifest.json'))
  const rows: Record<string, number | string>[] = [
    { workers: 'one process (baseline)', seconds: round(singleMs / 1000), 'phase 1 s': '-', 'phase 2 s': '-', 'merge s': '-', 'comments/s': round(comments / (singleMs / 1000), 0), 'vs baseline': '1x', identical: 'yes' },
  ]
  for (const n of [1, 2]) {
    const work = join(dir, `work-${n}`)
    const start = performance.now()
    await Promise.all(Array.from({ length: n }, (_, i) => dialogpt(['prepare', '--input', file, '--shard', `${i}/${n}`, '--work', work])))
    const phase1 = performance.now() - start
    await Promise.all(Array.from({ length: n }, (_, i) => dialogpt(['prepare', '--shard', `${i}/${n}`, '--work', work, '--finish'])))
    const phase2 = performance.now() - start - phase1
    await dialogpt(['merge-stores', '--work', work, '--out', join(dir, `merged-${n}`)])
    const ms = performance.now() - start
    rows.push({
      workers: n,
      seconds: round(ms / 1000),
      'phase 1 s': round(phase1 / 1000),
      'phase 2 s': round(phase2 / 1000),
      'merge s': round((ms - phase1 - phase2) / 1000),
      'comments/s': round(comments / (ms / 1000), 0),
      'vs baseline': `${round(singleMs / ms)}x`,
      identical: readFileSync(join(dir, `merged-${n}`, 'manifest.json')).equals(single) ? 'yes' : 'NO',
    })
    rmSync(work, { recursive: true, force: true })
  }
  return rows
}

/** Pass 1: read → rules → threads → sessions → filters, sessions consumed and dropped. */
async function readPass(file: string, dir: string) {
  const report = fresh()
  const t0 = performance.now()
  for await (const s of prepareSessions({ inputs: [file], grouping: { tmpDir: dir, maxInMemory: MAX_IN_MEMORY } }, report)) void s
  return { ms: performance.now() - t0, report }
}

/** Pass 2: the same, streamed through encoding into a token store (encoding timed inside). */
async function storePass(file: string, dir: string) {
  const stopAll = peakRssSampler()
  const t1 = performance.now()
  const writer = await StoreWriter.create(join(dir, 'store'), { overwrite: true })
  let examples = 0
  let encodeMs = 0
  let kept = 0
  for await (const s of prepareSessions({ inputs: [file], grouping: { tmpDir: dir, maxInMemory: MAX_IN_MEMORY } }, fresh())) {
    kept++
    const e0 = performance.now()
    for (const f of turnsToFeatures(s.turns.map((text, i) => ({ text, weight: s.weights[i]! })), { maxLength: 128 })) {
      await writer.add(f)
      examples++
    }
    encodeMs += performance.now() - e0
  }
  const f0 = performance.now()
  await writer.finish()
  encodeMs += performance.now() - f0
  return { examples, kept, encodeMs, allMs: performance.now() - t1, peak: stopAll() }
}

async function pipeline(file: string, dir: string, runs: number) {
  const reads = []
  for (let r = 0; r < runs; r++) reads.push(await readPass(file, dir))
  const t = summarize(reads.map((x) => x.ms))
  const report = reads[0]!.report
  const store = await storePass(file, dir)
  const peak = freshProcessPeak(file, dir)
  return {
    comments: report.comments,
    sessions: report.sessions,
    kept: report.kept,
    examples: store.examples,
    readRuns: t.runs,
    readSeconds: round(t.medianMs / 1000),
    readSecondsMin: round(t.minMs / 1000),
    readSecondsMax: round(t.maxMs / 1000),
    commentsPerSecond: round(report.comments / (t.medianMs / 1000), 0),
    encodeSeconds: round(store.encodeMs / 1000),
    sessionsPerSecond: round(store.kept / (store.encodeMs / 1000), 0),
    peakRssMiBRead: round(peak.maxRss / 2 ** 20, 0),
    peakRssMiBReadSampled: round(peak.sampledPeakRss / 2 ** 20, 0),
    peakRssMiBWithStoreInProcess: round(store.peak / 2 ** 20, 0),
    wholePipelineSeconds: round(store.allMs / 1000),
  }
}

export async function run(): Promise<Record<string, unknown> | undefined> {
  if (!existsSync(months)) {
    console.warn(`[skip] data benchmark: ${months} is absent`)
    return undefined
  }
  const dir = mkdtempSync(join(tmpdir(), 'dialogpt-data-bench-'))
  try {
    const results: Record<string, unknown>[] = []
    let sharded: Record<string, number | string>[] = []
    // 1M comments: the read pass 5 times (median, min, max); 250k and 2M once, to show memory does not grow with the input.
    for (const [target, runs] of [[250_000, 1], [1_000_000, 5], [2_000_000, 1]] as const) {
      console.log(`running: ${target} comments, read pass x ${runs}, then the store pass`)
      const file = join(dir, `comments-${target}.jsonl`)
      const n = await replicate(target, file)
      const r = await pipeline(file, dir, runs)
      results.push({ input: n, ...r })
      if (target === 1_000_000) {
        console.log('running: sharded preparation of the 1M input with 1 and 2 worker processes')
        sharded = await shardedRuns(file, dir, n)
      }
      rmSync(file)
    }
    printTable(
      'data pipeline, real Pushshift months replicated with fresh ids (one core; grouping spills to disk past 100k comments)',
      results.map((r) => ({
        comments: r.input as number,
        'read→filters s (median)': r.readSeconds as number,
        'min-max s': `${r.readSecondsMin as number}-${r.readSecondsMax as number}`,
        runs: r.readRuns as number,
        'comments/s': r.commentsPerSecond as number,
        sessions: r.kept as number,
        'encode→store s': r.encodeSeconds as number,
        'sessions/s': r.sessionsPerSecond as number,
        'peak RSS MiB (read, fresh process)': r.peakRssMiBRead as number,
        'peak RSS MiB (store pass, in process)': r.peakRssMiBWithStoreInProcess as number,
      })),
    )
    printTable('sharded preparation of the 1M input: one process against N worker processes (2 cores; wall time, start-up included; merged store = single store?)', sharded)
    const result = { source: 'RC_2005-12 + RC_2006-01, replicated', results, sharded }
    console.log(`wrote ${writeResult(name, result)}`)
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
