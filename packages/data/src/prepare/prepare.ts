import { DumpError } from '../input/dump-error'
import { detectInputFormat } from '../input/input-format'
import type { MalformedLine } from '../input/malformed'
import { readDialogues } from '../input/read-dialogues'
import { readTsvSessions } from '../input/read-tsv'
import { redditThreadSessions } from '../reddit/reddit-sessions'
import { BlandnessPass } from './blandness-pass'
import type { PrepareOptions, PreparedSession } from './prepare-options'
import { emptyReport, type PrepareReport } from './prepare-report'
import { SessionScreen } from './session-screen'
import { ShardError } from './shard-error'

export { paperFilters, type FilterOptions, type InputFormat, type PrepareOptions, type PreparedSession } from './prepare-options'

/**
 * Reads the inputs and yields the sessions that pass, filling `report` as it goes (complete when
 * the generator ends). Reddit dumps: comments → comment rules → threads (grouped across all inputs,
 * spilling to disk when large) → root-to-leaf sessions → score → normalisation → filters → (after a
 * counting pass over all surviving targets) blandness. TSV lines and dialogues: parsed, optionally
 * normalised and filtered. A file in which not one record is usable is a `DumpError`.
 */
export async function* prepareSessions(options: PrepareOptions, report: PrepareReport = emptyReport()): AsyncGenerator<PreparedSession> {
  if (options.shard) throw new ShardError('bad-shard', 'shard', 'prepareSessions reads the whole input; a shard is prepared by prepareShard (its blandness needs every shard\'s counts)')
  const formats = await Promise.all(options.inputs.map((f) => detectInputFormat(f, options.format ?? 'auto')))
  const reddit = options.inputs.filter((_, i) => formats[i] === 'reddit')
  const context = preparationContext(options, report)
  const { screen, onMalformed, progress, checkUsable } = context
  const keep = (s: PreparedSession) => {
    report.kept++
    return s
  }

  for (const [i, file] of options.inputs.entries()) {
    const before = { lines: report.lines, malformed: report.malformed }
    if (formats[i] === 'tsv') {
      for await (const turns of readTsvSessions(file, report, onMalformed)) {
        const s = screen.screen({ turns: turns.map((t) => t.text), weights: turns.map((t) => t.weight) }, false)
        if (s) yield keep(s)
        progress()
      }
      checkUsable(file, 'train.tsv', before)
    } else if (formats[i] === 'dialogues') {
      for await (const turns of readDialogues(file, report, onMalformed)) {
        const s = screen.screen({ turns, weights: turns.map(() => 1) }, false)
        if (s) yield keep(s)
        progress()
      }
      checkUsable(file, 'dialogue', before)
    }
  }
  if (reddit.length === 0) {
    options.onProgress?.(report)
    return
  }
  const bland = blandnessApplies(options) ? await BlandnessPass.create(blandnessRule(options), options.grouping?.tmpDir) : null
  try {
    for await (const s of redditCandidates(options, report, { ...context, reddit })) {
      if (bland) await bland.add(s)
      else yield keep(s)
    }
    if (bland) for await (const s of bland.kept((reason) => screen.count(reason))) yield keep(s)
    options.onProgress?.(report)
  } finally {
    await bland?.dispose()
  }
}

/** Whether the blandness rule runs (Reddit input with the paper's filters, unless turned off). */
export function blandnessApplies(options: PrepareOptions): boolean {
  return (options.applyFilters ?? true) && options.filters?.blandness !== false
}

/** The blandness rule's settings. */
export function blandnessRule(options: PrepareOptions): { fraction?: number; minCount?: number } {
  return options.filters?.blandness || {}
}

/**
 * The Reddit sessions that pass every rule but blandness (which needs the whole corpus's counts),
 * in the canonical thread order; `options.shard` keeps one shard's threads.
 */
export async function* redditCandidates(options: PrepareOptions, report: PrepareReport, io: PreparationContext & { reddit: readonly string[] }): AsyncGenerator<PreparedSession> {
  const minScore = options.minScore ?? 1
  const { screen } = io
  const threads = redditThreadSessions(io.reddit, options, report, io.onMalformed, { afterBatch: io.progress, afterFile: (file, before) => io.checkUsable(file, 'Reddit comment', before) })
  for await (const sessions of threads) {
    screen.nextThread()
    for (const session of sessions) {
      if ((session.score ?? 0) < minScore) {
        screen.drop('low-score')
        continue
      }
      const s = screen.screen({ turns: session.turns, weights: session.turns.map(() => 1), subreddit: session.subreddit, linkId: session.linkId, ids: session.ids }, true)
      if (s) yield s
    }
  }
}

/** What the steps of a preparation share: the screen, the malformed-line sink, progress and the usable-record check. */
export interface PreparationContext {
  screen: SessionScreen
  onMalformed: (m: MalformedLine) => void
  progress: () => void
  checkUsable: (file: string, format: string, before: { lines: number; malformed: number }) => void
}

/** The {@link PreparationContext} of a run that fills `report`. */
export function preparationContext(options: PrepareOptions, report: PrepareReport): PreparationContext {
  let progressAt = 0
  return {
    screen: new SessionScreen(options, report),
    onMalformed: (m) => {
      if (report.malformedSamples.length < 20) report.malformedSamples.push(m)
      options.onMalformed?.(m)
    },
    progress: () => {
      if (options.onProgress && report.lines - progressAt >= 10_000) {
        progressAt = report.lines
        options.onProgress(report)
      }
    },
    // A file that had lines but not one usable record is an error, not a silent "kept: 0".
    checkUsable: (file, format, before) => {
      const lines = report.lines - before.lines
      if (lines === 0 || report.malformed - before.malformed < lines) return
      const sample = report.malformedSamples.find((m) => m.file === file)
      throw new DumpError('bad-format', file, `none of its ${lines} records is a usable ${format} record${sample ? ` (line ${sample.line}: ${sample.reason})` : ''}; check --format. Nothing was kept`)
    },
  }
}
