import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { DumpError } from '../input/dump-error'
import { detectInputFormat } from '../input/input-format'
import { TrigramCounter } from '../reddit/trigram-counter'
import { SpillStream } from '../reddit/spill-stream'
import type { StoreManifest } from '../store/manifest'
import { writeStore } from '../store/store-writer'
import { TokenStore } from '../store/token-store'
import { countTargetTrigrams, notBland } from './blandness-pass'
import { blandnessApplies, blandnessRule, preparationContext, redditCandidates } from './prepare'
import { emptyReport, type PrepareReport } from './prepare-report'
import { sessionExamples, storeMeta, type PrepareStoreOptions } from './prepare-store'
import { ShardError } from './shard-error'
import { checkShard, type ShardSpec } from './shard-spec'

/** Options of {@link prepareShard}: those of `prepareStore`, without `out`, plus the shard and the work directory. */
export interface PrepareShardOptions extends Omit<PrepareStoreOptions, 'out' | 'shard'> {
  shard: ShardSpec
  /** The directory every shard of this run shares (a shared file system, or one gathered before the next phase). */
  work: string
}

/** What phase 1 of a shard leaves: `phase1.json` in its directory. */
export interface ShardPhase1 {
  format: 'dialogpt-prepare-shard'
  version: 1
  shard: ShardSpec
  /** A hash of everything that must be equal across the shards of one run (inputs' names and sizes, options, shard count). */
  run: string
  inputs: string[]
  maxLength: number
  reverse: boolean
  blandness: { fraction?: number; minCount?: number } | false
  /** The shard's counts so far: everything but blandness, kept and examples. */
  report: PrepareReport
  /** This shard's share of each input's lines and malformed lines (a file with no usable record is refused at the merge, over all shards). */
  files: Record<string, { lines: number; malformed: number }>
  candidates: number
}

const PHASE1 = 'phase1.json'
const CANDIDATES = 'candidates.jsonl'
const TRIGRAMS = 'trigrams.bin'
const STORE = 'store'

/** The directory of shard `index` of `count` in `work`: `shard-0003-of-0007`. */
export function shardDir(work: string, shard: ShardSpec): string {
  return join(work, `shard-${String(shard.index).padStart(4, '0')}-of-${String(shard.count).padStart(4, '0')}`)
}

async function runId(options: PrepareShardOptions): Promise<string> {
  const inputs = await Promise.all(options.inputs.map(async (f) => [basename(f), (await stat(f)).size]))
  const { format, sessions, minScore, normalize, applyFilters, filters, maxLength, reverse } = options
  const fingerprint = { inputs, format, sessions, minScore, normalize, applyFilters, filters, partitions: options.grouping?.partitions ?? 256, maxLength, reverse, count: options.shard.count }
  return createHash('sha256').update(JSON.stringify(fingerprint)).digest('hex').slice(0, 16)
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.partial-${process.pid}`
  await writeFile(temp, data)
  await rename(temp, path)
}

/**
 * Phase 1 of shard `I` of `N` (Reddit dumps): reads every input but keeps only the threads of its
 * share (a range of thread partitions by a stable hash of `link_id`, so a thread is never split
 * between shards), builds the sessions, applies every rule but blandness, and writes to its
 * directory in `work` the candidates, its target-trigram counts and `phase1.json` (its report so far),
 * which is written last and marks the phase done.
 *
 * What is per shard: the lines of its threads (each line is counted by one shard: the one of its
 * thread, read from the raw line when certain, and shard 0 for a line that names no thread), the
 * comments, threads, sessions and every filter but blandness. What is global: blandness, which phase
 * 2 ({@link finishShard}) decides from the sum of all shards' counts, and whether an input has any
 * usable record, which {@link mergeStores} decides from all shards' counts.
 */
export async function prepareShard(options: PrepareShardOptions): Promise<ShardPhase1> {
  const partitions = options.grouping?.partitions ?? 256
  checkShard(options.shard, partitions)
  if (options.inputs.length === 0) throw new ShardError('bad-shard', '(no input)', 'give at least one input file')
  const formats = await Promise.all(options.inputs.map((f) => detectInputFormat(f, options.format ?? 'auto')))
  const other = options.inputs.find((_, i) => formats[i] !== 'reddit')
  if (other) throw new ShardError('bad-shard', other, 'sharded preparation reads Reddit dumps; prepare TSV and dialogue files in one process')
  const dir = shardDir(options.work, options.shard)
  if (existsSync(join(dir, PHASE1))) throw new ShardError('mismatch', dir, 'phase 1 of this shard is already done here; remove the directory to run it again')
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const report = emptyReport()
  const files: ShardPhase1['files'] = {}
  // A shard sees its share of each file only: whether a file has any usable record is decided over all shards, at the merge.
  const context = {
    ...preparationContext(options, report),
    checkUsable: (file: string, _format: string, before: { lines: number; malformed: number }) => {
      files[file] = { lines: report.lines - before.lines, malformed: report.malformed - before.malformed }
    },
  }
  const bland = blandnessApplies(options)
  const counter = new TrigramCounter()
  const spill = new SpillStream(join(dir, `${CANDIDATES}.partial`))
  let candidates = 0
  try {
    for await (const s of redditCandidates({ ...options, shard: options.shard }, report, { ...context, reddit: options.inputs })) {
      if (bland) countTargetTrigrams(counter, s)
      candidates++
      const wait = spill.write(`${JSON.stringify(s)}\n`)
      if (wait) await wait
    }
    await spill.end()
  } catch (error) {
    spill.destroy()
    throw error
  }
  await rename(join(dir, `${CANDIDATES}.partial`), join(dir, CANDIDATES))
  if (bland) await writeAtomic(join(dir, TRIGRAMS), counter.toBytes())
  const phase1: ShardPhase1 = {
    format: 'dialogpt-prepare-shard',
    version: 1,
    shard: options.shard,
    run: await runId(options),
    inputs: [...options.inputs],
    maxLength: options.maxLength ?? 128,
    reverse: options.reverse ?? false,
    blandness: bland ? blandnessRule(options) : false,
    report,
    files,
    candidates,
  }
  await writeAtomic(join(dir, PHASE1), `${JSON.stringify(phase1, null, 1)}\n`)
  options.onProgress?.(report)
  return phase1
}

async function readPhase1(work: string, shard: ShardSpec): Promise<ShardPhase1> {
  const dir = shardDir(work, shard)
  const path = join(dir, PHASE1)
  if (!existsSync(path)) throw new ShardError('missing-shard', dir, `phase 1 of shard ${shard.index}/${shard.count} has not finished (no ${PHASE1})`)
  let parsed: ShardPhase1
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as ShardPhase1
  } catch (error) {
    throw new ShardError('damaged', path, `does not read as JSON (${(error as Error).message})`)
  }
  if (parsed.format !== 'dialogpt-prepare-shard' || parsed.version !== 1) throw new ShardError('damaged', path, 'is not a dialogpt-prepare-shard phase 1 record')
  return parsed
}

/** Options of {@link finishShard}. */
export interface FinishShardOptions {
  shard: ShardSpec
  work: string
  /** Text → token ids. Default GPT-2's BPE (must be the same for every shard). */
  encode?: (text: string) => number[]
  store?: PrepareStoreOptions['store']
}

/**
 * Phase 2 of shard `I` of `N`: once phase 1 of every shard is done, sums their trigram counts,
 * drops the bland candidates of this shard, windows and encodes the rest, and writes the shard's
 * partial store (`store/` in its directory, its report in the manifest's `meta`).
 */
export async function finishShard(options: FinishShardOptions): Promise<{ report: PrepareReport; manifest: StoreManifest }> {
  checkShard(options.shard, Number.MAX_SAFE_INTEGER)
  const own = await readPhase1(options.work, options.shard)
  const dir = shardDir(options.work, options.shard)
  let counter: TrigramCounter | undefined
  if (own.blandness !== false) {
    const all = await Promise.all(Array.from({ length: options.shard.count }, (_, index) => readPhase1(options.work, { index, count: options.shard.count })))
    for (const p of all) if (p.run !== own.run) throw new ShardError('mismatch', shardDir(options.work, p.shard), `belongs to another run (inputs or options differ: ${p.run} vs ${own.run})`)
    for (const p of all) {
      const path = join(shardDir(options.work, p.shard), TRIGRAMS)
      let part: TrigramCounter
      try {
        part = TrigramCounter.fromBytes(await readFile(path))
      } catch (error) {
        throw new ShardError('damaged', path, (error as Error).message)
      }
      if (counter) counter.merge(part)
      else counter = part
    }
  }
  const report = structuredClone(own.report)
  async function* examples() {
    const candidates = join(dir, CANDIDATES)
    const onDrop = (reason: string) => (report.dropped[reason] = (report.dropped[reason] ?? 0) + 1)
    for await (const s of notBland(candidates, counter ?? null, own.blandness || {}, onDrop)) {
      report.kept++
      const features = sessionExamples(s, { maxLength: own.maxLength, reverse: own.reverse, encode: options.encode })
      report.examples += features.length
      yield* features
    }
  }
  const manifest = await writeStore(join(dir, STORE), examples(), {
    ...options.store,
    meta: () => ({ shard: own.shard, run: own.run, files: own.files, ...storeMeta(own, report) }),
  })
  return { report, manifest }
}

/** Options of {@link mergeStores}. */
export interface MergeStoresOptions {
  /** The work directory the shards wrote to. */
  work: string
  /** The store to write. */
  out: string
  store?: PrepareStoreOptions['store']
}

/**
 * Combines the partial stores of every shard of a run into one store and one report: the shards'
 * examples in shard order (which is the single run's order), their reports summed (the line counts
 * and malformed samples come from shard 0). The result is the store one process would have written
 * from the same inputs and options, byte for byte. Refuses a run with a shard missing or unfinished,
 * or shards of different runs.
 */
export async function mergeStores(options: MergeStoresOptions): Promise<{ report: PrepareReport; manifest: StoreManifest }> {
  const names = existsSync(options.work) ? (await readdir(options.work)).filter((n) => /^shard-\d{4}-of-\d{4}$/.test(n)) : []
  if (names.length === 0) throw new ShardError('missing-shard', options.work, 'holds no shard directories (shard-IIII-of-NNNN)')
  const counts = new Set(names.map((n) => Number(n.slice(-4))))
  if (counts.size !== 1) throw new ShardError('mismatch', options.work, `holds shards of runs with different shard counts (${[...counts].join(', ')})`)
  const count = [...counts][0]!
  const stores: TokenStore[] = []
  const metas: Record<string, unknown>[] = []
  try {
    for (let index = 0; index < count; index++) {
      const dir = shardDir(options.work, { index, count })
      if (!existsSync(join(dir, STORE, 'manifest.json'))) throw new ShardError('missing-shard', dir, `shard ${index}/${count} has no finished store (run phase 2 of it)`)
      const store = await TokenStore.open(join(dir, STORE))
      stores.push(store)
      metas.push(store.manifest.meta)
    }
    const run = metas[0]!.run
    metas.forEach((m, index) => {
      if (m.run !== run) throw new ShardError('mismatch', shardDir(options.work, { index, count }), `belongs to another run (${String(m.run)} vs ${String(run)})`)
    })
    const report = emptyReport()
    for (const m of metas) addReport(report, m.report as PrepareReport)
    const first = metas[0] as { inputs: string[]; maxLength: number; reverse: boolean }
    // The first 20 malformed lines in input order, as one process keeps them (each shard kept its first 20).
    const fileOrder = new Map(first.inputs.map((f, i) => [f, i]))
    report.malformedSamples = metas
      .flatMap((m) => (m.report as PrepareReport).malformedSamples)
      .sort((a, b) => (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0) || a.line - b.line)
      .slice(0, 20)
    // A file in which not one record is usable is refused, as one process refuses it.
    for (const file of first.inputs) {
      let lines = 0
      let malformed = 0
      for (const m of metas) {
        const f = (m.files as ShardPhase1['files'] | undefined)?.[file]
        lines += f?.lines ?? 0
        malformed += f?.malformed ?? 0
      }
      if (lines > 0 && malformed === lines) {
        const sample = report.malformedSamples.find((x) => x.file === file)
        throw new DumpError('bad-format', file, `none of its ${lines} records is a usable Reddit comment record${sample ? ` (line ${sample.line}: ${sample.reason})` : ''}; check --format. Nothing was kept`)
      }
    }
    async function* examples() {
      for (const store of stores) for (let i = 0; i < store.size; i++) yield await store.get(i)
    }
    const manifest = await writeStore(options.out, examples(), { ...options.store, meta: () => storeMeta(first, report) })
    return { report, manifest }
  } finally {
    await Promise.all(stores.map((s) => s.close()))
  }
}

/** Adds a shard's counts into `total` (the malformed samples are merged by the caller). */
function addReport(total: PrepareReport, part: PrepareReport): void {
  for (const key of ['lines', 'comments', 'malformed', 'cyclesCut', 'sessions', 'kept', 'examples'] as const) total[key] += part[key]
  for (const key of ['commentsDropped', 'dropped'] as const) for (const [reason, n] of Object.entries(part[key])) total[key][reason] = (total[key][reason] ?? 0) + n
}
