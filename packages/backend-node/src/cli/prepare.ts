import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { formatPrepareReport, type PrepareReport } from '@dialogpt/data'
import { finishShard, parseShard, prepareShard, prepareStore, shardDir, type InputFormat, type ShardSpec } from '@dialogpt/data/node'
import { flagTable, intFlag, UsageError, type CliIo } from './io'
import { ProgressLine } from './progress'

export const PREPARE_USAGE = `Usage: dialogpt prepare --input FILE... --out DIR [options]
       dialogpt prepare --input FILE... --shard I/N --work DIR [options]    (phase 1 of shard I)
       dialogpt prepare --shard I/N --work DIR --finish                      (phase 2 of shard I)

Builds a token store for training from Reddit dumps (Pushshift NDJSON: .zst, .bz2, .xz, .gz or
plain; BigQuery-style JSON rows), DialoGPT train.tsv files, or JSON dialogues (arrays of turns).
Reddit input goes through the paper's pipeline: comment rules, root-to-leaf sessions, every filter,
and a final report of counts per filter.

Input and output:
  --input FILE...              input files (repeat --input, or list several after it)
  --out DIR                    the store to write (refused if it exists, unless --overwrite)
  --format auto|reddit|tsv|dialogues   (default auto: by extension and content)
  --overwrite                  replace an existing store
Sessions and filters:
  --subreddit-blocklist FILE   subreddits to exclude, one per line
  --phrase-blocklist FILE      offensive phrases, one per line: targets containing one are dropped
  --min-score N                drop targets scoring below N (Reddit; default 1)
  --max-depth N                turns per session (default 5)    --max-turn-words N (default 30)
  --no-filters                 no paper filters (default: on for Reddit, off for tsv/dialogues)
  --filters                    apply the paper filters to tsv/dialogues too
  --no-blandness               skip the blandness rule (and its counting pass)
  --keep-parentheses           do not reject ( ) (the original code does)
  --no-normalize               keep the text as is (default: gpt_norm_sentence for Reddit)
Encoding:
  --max-length N               window length in tokens (default 128)
  --reverse                    backward-model (MMI) data: turns reversed
Output:
  --json                       print the report as one JSON object:
                               { lines, comments, malformed, sessions, kept, dropped, examples }
Sharding (Reddit dumps; then 'dialogpt merge-stores --work DIR --out DIR'):
  --shard I/N                  prepare shard I of N: the threads whose link_id hashes into its range
  --work DIR                   the directory all shards of the run share
  --finish                     phase 2: once phase 1 of every shard is done, apply blandness with
                               the summed counts and write this shard's partial store
`

async function listFile(path: string | undefined): Promise<string[] | undefined> {
  if (path === undefined) return undefined
  const text = await readFile(path, 'utf8').catch((e: Error) => {
    throw new UsageError(`cannot read ${path}: ${e.message}`)
  })
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
}

const PREPARE_FLAGS = {
  input: { type: 'string', multiple: true },
  ...flagTable(
    ['out', 'format', 'subreddit-blocklist', 'phrase-blocklist', 'min-score', 'max-depth', 'max-turn-words', 'max-length', 'shard', 'work'] as const,
    ['overwrite', 'no-filters', 'filters', 'no-blandness', 'keep-parentheses', 'no-normalize', 'reverse', 'json', 'finish'] as const,
  ),
} as const

/** `dialogpt prepare`. Returns the exit status. */
export async function prepareCommand(argv: string[], io: CliIo, isTTY = false): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: PREPARE_FLAGS,
  })
  if (values.help) {
    io.stdout(PREPARE_USAGE)
    return 0
  }
  const inputs = [...(values.input ?? []), ...positionals]
  const shard = values.shard === undefined ? undefined : parseShardFlag(values.shard)
  if ((values.work !== undefined || values.finish) && !shard) throw new UsageError('--work and --finish go with --shard I/N')
  if (shard && !values.work) throw new UsageError('--shard needs --work DIR (the directory every shard of the run shares)')
  if (shard && values.out) throw new UsageError("a shard writes into --work; 'dialogpt merge-stores --work DIR --out DIR' writes the store")
  const started = Date.now()
  if (shard && values.finish) {
    if (inputs.length > 0) throw new UsageError('--finish reads the inputs phase 1 recorded; give no --input')
    const { report, manifest } = await finishShard({ work: values.work!, shard })
    printReport(io, values.json === true, report, `shard ${shard.index}/${shard.count}: ${manifest.examples} examples written to ${shardDir(values.work!, shard)}/store in ${seconds(started)} s\n`)
    return 0
  }
  if (inputs.length === 0) throw new UsageError('--input is required')
  if (!shard && !values.out) throw new UsageError('--out is required')
  const format = (values.format ?? 'auto') as InputFormat
  if (!['auto', 'reddit', 'tsv', 'dialogues'].includes(format)) throw new UsageError(`--format must be auto, reddit, tsv or dialogues, got '${format}'`)
  if (values['no-filters'] && values.filters) throw new UsageError('--filters and --no-filters contradict each other')
  const progress = new ProgressLine(io.stderr, isTTY)
  const options = {
    inputs,
    format,
    minScore: numberOr(values['min-score'], 'min-score'),
    sessions: { maxDepth: intFlag(values['max-depth'], 'max-depth', 1), maxTurnWords: intFlag(values['max-turn-words'], 'max-turn-words', 1) },
    applyFilters: values['no-filters'] ? false : values.filters ? true : undefined,
    normalize: values['no-normalize'] ? false : undefined,
    filters: {
      subredditBlocklist: await listFile(values['subreddit-blocklist']),
      phraseBlocklist: await listFile(values['phrase-blocklist']),
      parentheses: !values['keep-parentheses'],
      blandness: values['no-blandness'] ? (false as const) : undefined,
    },
    maxLength: intFlag(values['max-length'], 'max-length', 2),
    reverse: values.reverse,
    onProgress: (r: PrepareReport) => {
      const s = (Date.now() - started) / 1000
      progress.update(`prepare: ${r.lines.toLocaleString('en')} lines (${Math.round(r.lines / Math.max(s, 1e-3)).toLocaleString('en')}/s), ${r.sessions.toLocaleString('en')} sessions, ${r.kept.toLocaleString('en')} kept, ${r.malformed} malformed`)
    },
  }
  if (shard) {
    const phase1 = await prepareShard({ ...options, shard, work: values.work! })
    progress.done()
    printReport(io, values.json === true, phase1.report, `shard ${shard.index}/${shard.count}, phase 1: ${phase1.candidates} candidate sessions in ${shardDir(values.work!, shard)} in ${seconds(started)} s (blandness and the store come with --finish)\n`)
    return 0
  }
  const { report } = await prepareStore({ ...options, out: values.out!, store: { overwrite: values.overwrite } })
  progress.done()
  printReport(io, values.json === true, report, `store written to ${values.out} in ${seconds(started)} s\n`)
  return 0
}

const seconds = (started: number) => ((Date.now() - started) / 1000).toFixed(1)

/** The report as the table (and a last line), or as one JSON object with `--json`. */
export function printReport(io: CliIo, json: boolean, report: PrepareReport, last: string): void {
  if (json) {
    const { lines, comments, malformed, sessions, kept, dropped, examples } = report
    io.stdout(`${JSON.stringify({ lines, comments, malformed, sessions, kept, dropped, examples })}\n`)
  } else {
    io.stdout(formatPrepareReport(report))
    io.stdout(last)
  }
}

function parseShardFlag(text: string): ShardSpec {
  try {
    return parseShard(text)
  } catch (error) {
    throw new UsageError(`--shard: ${(error as Error).message.replace(/^shard: /, '')}`)
  }
}

function numberOr(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n)) throw new UsageError(`--${name}: '${value}' is not a number`)
  return n
}
