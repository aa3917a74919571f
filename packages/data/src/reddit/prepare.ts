import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { turnsToFeatures, parseTsvLine, type WeightedTurn } from '../encode/tsv'
import {
  blandnessFilter,
  capitalsFilter,
  commonWordFilter,
  lengthFilter,
  longTokenFilter,
  markupFilter,
  phraseBlocklistFilter,
  repetitionFilter,
  subredditFilter,
  trigrams,
  urlFilter,
} from '../filters/filters'
import type { Filter } from '../filters/instance'
import { filterPipeline } from '../filters/pipeline'
import { writeStore, type StoreWriterOptions } from '../store/store-writer'
import type { StoreManifest } from '../store/manifest'
import { DumpError } from './dump-error'
import type { RedditComment } from './comment'
import { commentRule } from './extract'
import { groupByThread, type GroupOptions } from './group-threads'
import { gptNormSentence } from './gpt-norm'
import type { MalformedLine } from './malformed'
import { emptyReport, type PrepareReport } from './prepare-report'
import { readCommentBatches } from './read-comments'
import { readDumpLines, readDumpText } from './open-dump'
import { threadSessions, type SessionOptions } from './sessions'
import { SpillStream } from './spill-stream'
import { TrigramCounter } from './trigram-counter'

/** What an input file holds. `auto`: `.tsv` → tsv, `.json` holding dialogues → dialogues, else Reddit comments. */
export type InputFormat = 'auto' | 'reddit' | 'tsv' | 'dialogues'

export interface FilterOptions {
  /** Subreddits to exclude (Reddit input). */
  subredditBlocklist?: readonly string[]
  /** Offensive phrases: a target containing one is dropped. */
  phraseBlocklist?: readonly string[]
  /** Also reject `(` `)`, as the original code does. Default true. */
  parentheses?: boolean
  /** The top-50-words rule (the paper's, not in the original code): `false` turns it off; a list replaces the default. Default on. */
  commonWords?: readonly string[] | false
  /** The blandness rule (needs a counting pass): `false` turns it off. Default `{ fraction: 0.9, minCount: 1000 }`. */
  blandness?: { fraction?: number; minCount?: number } | false
  /** Source + target word limit. Default 200. */
  maxWords?: number
  /** Target token length limit in characters. Default 30. */
  maxTokenChars?: number
}

export interface PrepareOptions {
  inputs: readonly string[]
  format?: InputFormat
  /** Session building from comment trees (Reddit input). Defaults as the original: leaves only, 2..5 turns, 30-word turns. */
  sessions?: SessionOptions
  /** Targets scoring below this are dropped (Reddit input; a missing score counts as 0). Default 1, the original's. */
  minScore?: number
  /** Apply `gptNormSentence` to every turn. Default true for Reddit input, false otherwise. */
  normalize?: boolean
  /** Apply the paper's filters. Default true for Reddit input, false for TSV and dialogues (your own data). */
  applyFilters?: boolean
  filters?: FilterOptions
  /** Grouping comments by thread: memory bound and spill directory. */
  grouping?: GroupOptions
  /** Called with every line that is not usable (file and line number). */
  onMalformed?: (m: MalformedLine) => void
  /** Called now and then with the counts so far. */
  onProgress?: (report: PrepareReport) => void
}

/** A session that passed every filter. `weights[i]` is turn i's loss weight. */
export interface PreparedSession {
  turns: string[]
  weights: number[]
  subreddit?: string
  linkId?: string
  ids?: string[]
}

/** The paper's filters in the order the original applies its rules (blandness is separate: it needs counts). */
export function paperFilters(options: FilterOptions = {}): Filter[] {
  const filters: Filter[] = [longTokenFilter(options.maxTokenChars ?? 30), lengthFilter(options.maxWords ?? 200), urlFilter, markupFilter({ parentheses: options.parentheses ?? true }), capitalsFilter, repetitionFilter]
  if (options.commonWords !== false) filters.push(commonWordFilter(options.commonWords))
  if (options.phraseBlocklist?.length) filters.push(phraseBlocklistFilter(options.phraseBlocklist))
  if (options.subredditBlocklist?.length) filters.push(subredditFilter(options.subredditBlocklist))
  return filters
}

/** How many non-empty lines (or bytes) format detection looks at. */
const DETECT_LINES = 50
const DETECT_BYTES = 1 << 16

/**
 * The format of an input, by content (`.tsv` by extension): up to {@link DETECT_LINES} lines are
 * looked at, so one malformed first line cannot decide it. A line (or the first element of a
 * whole-file JSON array, as BigQuery exports and Python's `json.dump` write) that is an object with
 * `body` and `parent_id` or `link_id` is a Reddit comment; arrays of turns and objects with
 * `content` are dialogues. When nothing parses, the file is read as Reddit and every line is
 * reported malformed (and a file with no usable line at all is an error).
 */
async function formatOf(file: string, format: InputFormat): Promise<Exclude<InputFormat, 'auto'>> {
  if (format !== 'auto') return format
  if (extname(file).toLowerCase() === '.tsv') return 'tsv'
  const isComment = (o: unknown) => o !== null && typeof o === 'object' && !Array.isArray(o) && 'body' in o && ('parent_id' in o || 'link_id' in o)
  const votes = { reddit: 0, dialogues: 0 }
  let head = ''
  let lines = 0
  for await (const { text } of readDumpLines(file)) {
    if (lines++ === 0 && text.trimStart().startsWith('[')) head = text
    else if (head) head += `\n${text}`
    if (head) {
      if (head.length >= DETECT_BYTES || lines >= DETECT_LINES) break
      continue
    }
    try {
      const value = JSON.parse(text) as unknown
      if (isComment(value)) votes.reddit++
      else if (Array.isArray(value) || (value !== null && typeof value === 'object')) votes.dialogues++
    } catch {
      // a malformed line votes for nothing
    }
    if (lines >= DETECT_LINES) break
  }
  if (head) {
    // A whole-file JSON array: Reddit rows when its first element has a comment's fields.
    const first = head.slice(0, DETECT_BYTES)
    return /^\s*\[\s*\{/.test(first) && /"body"\s*:/.test(first) && /"(parent_id|link_id)"\s*:/.test(first) ? 'reddit' : 'dialogues'
  }
  return votes.dialogues > votes.reddit ? 'dialogues' : 'reddit'
}

function turnText(turn: unknown): string | null {
  if (typeof turn === 'string') return turn
  if (turn && typeof turn === 'object') {
    const o = turn as Record<string, unknown>
    for (const k of ['text', 'message', 'content', 'utterance']) if (typeof o[k] === 'string') return o[k] as string
  }
  return null
}

/**
 * Dialogues as users have them: a JSON array of dialogues, each an array of turns (strings, or
 * objects with `text` / `message`); an object of conversations with `content` arrays (Topical-Chat);
 * or JSON lines, one dialogue per line.
 */
async function* readDialogues(file: string, report: PrepareReport, onMalformed: (m: MalformedLine) => void): AsyncGenerator<string[]> {
  const text = await readDumpText(file)
  let dialogues: { value: unknown; line: number }[]
  try {
    const parsed = JSON.parse(text) as unknown
    const list = Array.isArray(parsed) ? parsed : Object.values(parsed as Record<string, unknown>)
    dialogues = list.map((value, i) => ({ value, line: i + 1 }))
  } catch {
    dialogues = []
    text.split('\n').forEach((l, i) => {
      if (!l.trim()) return
      try {
        dialogues.push({ value: JSON.parse(l), line: i + 1 })
      } catch (error) {
        dialogues.push({ value: new Error(`invalid JSON (${(error as Error).message})`), line: i + 1 })
      }
    })
  }
  for (const { value, line } of dialogues) {
    report.lines++
    const turnsOf = (v: unknown): unknown[] | null => (Array.isArray(v) ? v : v && typeof v === 'object' && Array.isArray((v as { content?: unknown }).content) ? (v as { content: unknown[] }).content : null)
    const raw = value instanceof Error ? null : turnsOf(value)
    const turns = raw?.map(turnText)
    if (!turns || turns.some((t) => t === null)) {
      report.malformed++
      const m = { file, line, reason: value instanceof Error ? value.message : 'not a dialogue (an array of turns: strings or objects with text/message)' }
      onMalformed(m)
      continue
    }
    report.comments++
    yield turns as string[]
  }
}

/**
 * Reads the inputs and yields the sessions that pass, filling `report` as it goes (complete when
 * the generator ends). Reddit dumps: comments → comment rules → threads (grouped across all inputs,
 * spilling to disk when large) → root-to-leaf sessions → score → normalisation → filters → (after a
 * counting pass over all surviving targets) blandness. TSV lines and dialogues: parsed, optionally
 * normalised and filtered.
 */
export async function* prepareSessions(options: PrepareOptions, report: PrepareReport = emptyReport()): AsyncGenerator<PreparedSession> {
  const onMalformed = (m: MalformedLine) => {
    if (report.malformedSamples.length < 20) report.malformedSamples.push(m)
    options.onMalformed?.(m)
  }
  const filterOptions = options.filters ?? {}
  const formats = await Promise.all(options.inputs.map((f) => formatOf(f, options.format ?? 'auto')))
  const reddit = options.inputs.filter((_, i) => formats[i] === 'reddit')
  // The first filter that drops a session names the reason (its own tally is not used: the report
  // also counts reasons from outside the filters).
  const pipeline = filterPipeline(paperFilters(filterOptions))
  const count = (reason: string) => void (report.dropped[reason] = (report.dropped[reason] ?? 0) + 1)
  let progressAt = 0
  const progress = () => {
    if (options.onProgress && report.lines - progressAt >= 10_000) {
      progressAt = report.lines
      options.onProgress(report)
    }
  }

  // Every candidate passes through here; the bland pass (Reddit) needs all of them first.
  const bland = reddit.length > 0 && (options.applyFilters ?? true) && filterOptions.blandness !== false ? filterOptions.blandness ?? {} : null
  const counter = bland ? new TrigramCounter() : null
  const spillDir = bland ? await mkdtemp(join(options.grouping?.tmpDir ?? tmpdir(), 'dialogpt-bland-')) : null
  const spill = spillDir ? new SpillStream(join(spillDir, 'sessions.jsonl')) : null

  // A comment is a turn of every session below it: within a thread, each text is normalised once.
  const normalized = new Map<string, string>()
  const normalizeTurn = (t: string) => {
    let n = normalized.get(t)
    if (n === undefined) normalized.set(t, (n = gptNormSentence(t)))
    return n
  }
  function* candidate(session: PreparedSession, isReddit: boolean): Generator<PreparedSession> {
    const normalize = options.normalize ?? isReddit
    const turns = normalize ? session.turns.map(isReddit ? normalizeTurn : gptNormSentence) : session.turns
    const applyFilters = options.applyFilters ?? isReddit
    report.sessions++
    if (turns.some((t) => !t.trim())) {
      count('empty-turn')
      return
    }
    const s = { ...session, turns }
    const verdict = applyFilters ? pipeline.apply({ source: turns.slice(0, -1), target: turns[turns.length - 1]!, subreddit: s.subreddit }) : null
    if (verdict && !verdict.keep) {
      count(verdict.reason)
      return
    }
    yield s
  }

  const finish = (s: PreparedSession) => {
    report.kept++
    return s
  }

  /** A file that had lines but not one usable record is an error, not a silent "kept: 0". */
  const checkUsable = (file: string, format: string, before: { lines: number; malformed: number }) => {
    const lines = report.lines - before.lines
    if (lines === 0 || report.malformed - before.malformed < lines) return
    const sample = report.malformedSamples.find((m) => m.file === file)
    throw new DumpError('bad-format', file, `none of its ${lines} records is a usable ${format} record${sample ? ` (line ${sample.line}: ${sample.reason})` : ''}; check --format. Nothing was kept`)
  }
  const counts = () => ({ lines: report.lines, malformed: report.malformed })

  try {
    for (const [i, file] of options.inputs.entries()) {
      const before = counts()
      if (formats[i] === 'tsv') {
        for await (const { line, text } of readDumpLines(file)) {
          report.lines++
          let turns: WeightedTurn[]
          try {
            turns = parseTsvLine(text)
          } catch (error) {
            report.malformed++
            onMalformed({ file, line, reason: (error as Error).message })
            continue
          }
          report.comments++
          for (const s of candidate({ turns: turns.map((t) => t.text), weights: turns.map((t) => t.weight) }, false)) yield finish(s)
          progress()
        }
      } else if (formats[i] === 'dialogues') {
        for await (const turns of readDialogues(file, report, onMalformed)) {
          for (const s of candidate({ turns, weights: turns.map(() => 1) }, false)) yield finish(s)
          progress()
        }
      }
      if (formats[i] !== 'reddit') checkUsable(file, formats[i] === 'tsv' ? 'train.tsv' : 'dialogue', before)
    }
    if (reddit.length > 0) {
      const minScore = options.minScore ?? 1
      async function* comments() {
        for (const file of reddit) {
          const before = counts()
          for await (const batch of readCommentBatches(file, report, onMalformed)) {
            progress()
            const kept: RedditComment[] = []
            for (const c of batch) {
              const rule = commentRule(c)
              if (rule.keep) kept.push(c)
              else report.commentsDropped[rule.reason] = (report.commentsDropped[rule.reason] ?? 0) + 1
            }
            yield kept
          }
          checkUsable(file, 'Reddit comment', before)
        }
      }
      for await (const thread of groupByThread(comments(), options.grouping)) {
        normalized.clear()
        for (const session of threadSessions(thread, options.sessions, report)) {
          if ((session.score ?? 0) < minScore) {
            report.sessions++
            count('low-score')
            continue
          }
          for (const s of candidate({ turns: session.turns, weights: session.turns.map(() => 1), subreddit: session.subreddit, linkId: session.linkId, ids: session.ids }, true)) {
            if (!counter) {
              yield finish(s)
              continue
            }
            for (const g of trigrams(s.turns[s.turns.length - 1]!)) counter.add(g)
            const wait = spill!.write(`${JSON.stringify(s)}\n`)
            if (wait) await wait
          }
        }
      }
      if (counter) {
        await spill!.end()
        const isBland = blandnessFilter((g) => counter.count(g), bland!)
        for await (const line of createInterface({ input: createReadStream(spill!.file), crlfDelay: Infinity })) {
          if (!line) continue
          const s = JSON.parse(line) as PreparedSession
          const r = isBland({ source: s.turns.slice(0, -1), target: s.turns[s.turns.length - 1]! })
          if (!r.keep) {
            count(r.reason)
            continue
          }
          yield finish(s)
        }
      }
    }
    options.onProgress?.(report)
  } finally {
    spill?.destroy()
    if (spillDir) await rm(spillDir, { recursive: true, force: true })
  }
}

export interface PrepareStoreOptions extends PrepareOptions {
  /** The store directory to write. */
  out: string
  /** Window length in tokens. Default 128 (the original's). */
  maxLength?: number
  /** Backward-model data: turns reversed. */
  reverse?: boolean
  /** Text → token ids. Default GPT-2's BPE. */
  encode?: (text: string) => number[]
  store?: Omit<StoreWriterOptions, 'meta'>
}

/** {@link prepareSessions} → windowed features → a token store at `out`. Returns the report and the manifest. */
export async function prepareStore(options: PrepareStoreOptions): Promise<{ report: PrepareReport; manifest: StoreManifest }> {
  if (options.inputs.length === 0) throw new DumpError('not-found', '(no input)', 'give at least one input file')
  const report = emptyReport()
  async function* examples() {
    for await (const s of prepareSessions(options, report)) {
      const features = turnsToFeatures(
        s.turns.map((text, i) => ({ text, weight: s.weights[i]! })),
        { maxLength: options.maxLength ?? 128, reverse: options.reverse, encode: options.encode },
      )
      report.examples += features.length
      yield* features
    }
  }
  const manifest = await writeStore(options.out, examples(), {
    ...options.store,
    meta: () => ({ inputs: options.inputs, maxLength: options.maxLength ?? 128, reverse: options.reverse ?? false, report }),
  })
  return { report, manifest }
}
