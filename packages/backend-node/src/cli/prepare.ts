import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { formatPrepareReport } from '@dialogpt/data'
import { prepareStore, type InputFormat } from '@dialogpt/data/node'
import { flagTable, intFlag, UsageError, type CliIo } from './io'
import { ProgressLine } from './progress'

export const PREPARE_USAGE = `Usage: dialogpt prepare --input FILE... --out DIR [options]

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
    ['out', 'format', 'subreddit-blocklist', 'phrase-blocklist', 'min-score', 'max-depth', 'max-turn-words', 'max-length'] as const,
    ['overwrite', 'no-filters', 'filters', 'no-blandness', 'keep-parentheses', 'no-normalize', 'reverse', 'json'] as const,
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
  if (inputs.length === 0) throw new UsageError('--input is required')
  if (!values.out) throw new UsageError('--out is required')
  const format = (values.format ?? 'auto') as InputFormat
  if (!['auto', 'reddit', 'tsv', 'dialogues'].includes(format)) throw new UsageError(`--format must be auto, reddit, tsv or dialogues, got '${format}'`)
  if (values['no-filters'] && values.filters) throw new UsageError('--filters and --no-filters contradict each other')
  const progress = new ProgressLine(io.stderr, isTTY)
  const started = Date.now()
  const { report } = await prepareStore({
    inputs,
    out: values.out,
    format,
    minScore: numberOr(values['min-score'], 'min-score'),
    sessions: { maxDepth: intFlag(values['max-depth'], 'max-depth', 1), maxTurnWords: intFlag(values['max-turn-words'], 'max-turn-words', 1) },
    applyFilters: values['no-filters'] ? false : values.filters ? true : undefined,
    normalize: values['no-normalize'] ? false : undefined,
    filters: {
      subredditBlocklist: await listFile(values['subreddit-blocklist']),
      phraseBlocklist: await listFile(values['phrase-blocklist']),
      parentheses: !values['keep-parentheses'],
      blandness: values['no-blandness'] ? false : undefined,
    },
    maxLength: intFlag(values['max-length'], 'max-length', 2),
    reverse: values.reverse,
    store: { overwrite: values.overwrite },
    onProgress: (r) => {
      const s = (Date.now() - started) / 1000
      progress.update(`prepare: ${r.lines.toLocaleString('en')} lines (${Math.round(r.lines / Math.max(s, 1e-3)).toLocaleString('en')}/s), ${r.sessions.toLocaleString('en')} sessions, ${r.kept.toLocaleString('en')} kept, ${r.malformed} malformed`)
    },
  })
  progress.done()
  if (values.json) {
    const { lines, comments, malformed, sessions, kept, dropped, examples } = report
    io.stdout(`${JSON.stringify({ lines, comments, malformed, sessions, kept, dropped, examples })}\n`)
  } else {
    io.stdout(formatPrepareReport(report))
    io.stdout(`store written to ${values.out} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
  }
  return 0
}

function numberOr(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n)) throw new UsageError(`--${name}: '${value}' is not a number`)
  return n
}
