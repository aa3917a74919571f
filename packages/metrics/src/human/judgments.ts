import { MetricsInputError } from '../errors'
import { readTableRows, type RejectedRow, type TableFormat, type TableRow } from '../text/table-rows'

/** One judge's choice between two systems' responses to one item. */
export type PairwiseChoice = 'A' | 'B' | 'neutral'

/** A pairwise judgment, as in the paper's Table 7: which of two responses a judge preferred. */
export interface PairwiseJudgment {
  systemA: string
  systemB: string
  judge: string
  item: string
  criterion: string
  choice: PairwiseChoice
}

/** A Likert judgment, as in DSTC-7's per-judge file: one judge's rating of one system's response. */
export interface LikertJudgment {
  judge: string
  item: string
  system: string
  criterion: string
  rating: number
}

/** Judgments read from a file, and the rows left out (only in lenient mode; never silently). */
export interface JudgmentsRead<J> {
  judgments: J[]
  rejected: RejectedRow[]
  /**
   * Judgments that repeat an earlier one's (judge, item, system(s), criterion), kept (the default,
   * `repeats: 'keep'`), each with the line of the first. DSTC-7's per-judge file has 31 such rows,
   * and its released scores count both ratings.
   */
  repeated: RejectedRow[]
}

/** Options of the judgment readers. */
export interface ReadJudgmentsOptions {
  format: TableFormat
  /** The file's name, for messages. */
  source: string
  /** Count malformed rows in `rejected` instead of refusing the file. Default false. */
  lenient?: boolean
  /**
   * What to do with a judgment that repeats an earlier (judge, item, system(s), criterion): `'keep'`
   * it and list it in `repeated` (default), or `'refuse'` it as malformed.
   */
  repeats?: 'keep' | 'refuse'
}

/** Options of {@link readLikertJudgments}. */
export interface ReadLikertOptions extends ReadJudgmentsOptions {
  /** The rating scale, inclusive; ratings outside it are malformed. Default: any finite number. */
  scale?: [number, number]
}

// Column names accepted for each field, compared without case, `_` or `-`.
const ALIASES = {
  judge: ['judge', 'judgeid', 'rater', 'annotator', 'worker', 'workerid'],
  item: ['item', 'itemid', 'instance', 'instanceid', 'unit', 'id'],
  system: ['system', 'systemid', 'model'],
  systemA: ['systema', 'a'],
  systemB: ['systemb', 'b'],
  criterion: ['criterion', 'aspect', 'question'],
  rating: ['rating', 'score', 'value'],
  choice: ['choice', 'preference', 'winner', 'label'],
} as const

const squash = (name: string) => name.toLowerCase().replace(/[_\-\s]/g, '')

function findColumn(columns: readonly string[], field: keyof typeof ALIASES): string | undefined {
  const names: readonly string[] = ALIASES[field]
  return columns.find((c) => names.includes(squash(c)))
}

function requireColumn(columns: readonly string[], field: keyof typeof ALIASES, source: string): string {
  const found = findColumn(columns, field)
  if (!found)
    throw new MetricsInputError(`no "${field}" column (accepted names: ${ALIASES[field].join(', ')}; found: ${columns.join(', ') || 'none'})`, source)
  return found
}

function text(row: TableRow, column: string): string | undefined {
  const v = row.fields[column]
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  if (typeof v !== 'string') return undefined
  const t = v.trim()
  return t === '' ? undefined : t
}

/**
 * Reads Likert judgments. Two layouts are accepted:
 * - long: columns judge, item, system, criterion, rating (one row per rating);
 * - wide: columns judge, item, system and one column per criterion, as DSTC-7's
 *   `dstc7-task2-human-eval-per-judge.tsv` (`JudgeID`, `InstanceID`, `SystemID`, `Relevance`,
 *   `Informativeness`), which is read as released, byte-order mark included.
 *
 * A rating that is not a number or lies outside `scale` is malformed: refused with `file:line`, or
 * counted in `rejected` when `lenient`. Repeats are kept and listed, or refused (see `repeats`).
 */
export function readLikertJudgments(content: string, options: ReadLikertOptions): JudgmentsRead<LikertJudgment> {
  const table = readTableRows(content, options)
  const { columns, source } = { columns: table.columns, source: options.source }
  const judge = requireColumn(columns, 'judge', source)
  const item = requireColumn(columns, 'item', source)
  const system = requireColumn(columns, 'system', source)
  const criterionColumn = findColumn(columns, 'criterion')
  const ratingColumn = findColumn(columns, 'rating')
  const long = criterionColumn !== undefined && ratingColumn !== undefined
  const criteria = long ? [] : columns.filter((c) => c !== judge && c !== item && c !== system)
  if (!long && criteria.length === 0)
    throw new MetricsInputError('no rating columns: give criterion and rating columns, or one column per criterion', source)
  const rejected = table.rejected.slice()
  const repeated: RejectedRow[] = []
  const judgments: LikertJudgment[] = []
  const seenAt = new Map<string, number>()
  for (const row of table.rows) {
    const where = `${source}:${row.line}`
    const refuse = (reason: string) => {
      if (!options.lenient) throw new MetricsInputError(reason, where)
      rejected.push({ where, reason })
    }
    const ids = { judge: text(row, judge), item: text(row, item), system: text(row, system) }
    const missing = Object.entries(ids).find(([, v]) => v === undefined)
    if (missing) {
      refuse(`the ${missing[0]} is empty`)
      continue
    }
    const cells: [string | undefined, unknown][] = long
      ? [[text(row, criterionColumn), row.fields[ratingColumn]]]
      : criteria.map((c) => [c, row.fields[c]])
    const parsed: { judgment: LikertJudgment; key: string; repeat: string | undefined }[] = []
    let bad: string | undefined
    for (const [criterion, raw] of cells) {
      if (criterion === undefined) {
        bad = 'the criterion is empty'
        break
      }
      const rating = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN
      if (!Number.isFinite(rating)) {
        bad = `the ${criterion} rating ${JSON.stringify(raw ?? null)} is not a number`
        break
      }
      if (options.scale && (rating < options.scale[0] || rating > options.scale[1])) {
        bad = `the ${criterion} rating ${rating} is outside the scale ${options.scale[0]}–${options.scale[1]}`
        break
      }
      const key = JSON.stringify([ids.judge, ids.item, ids.system, criterion])
      const earlier = seenAt.get(key)
      let repeat: string | undefined
      if (earlier !== undefined) {
        repeat = `judge ${ids.judge} already rated ${ids.system} on item ${ids.item} for ${criterion} (line ${earlier})`
        if (options.repeats === 'refuse') {
          bad = repeat
          break
        }
      }
      parsed.push({ judgment: { judge: ids.judge!, item: ids.item!, system: ids.system!, criterion, rating }, key, repeat })
    }
    if (bad) {
      refuse(bad)
      continue
    }
    // Only a row that is kept records its ratings (and its repeats).
    for (const { judgment, key, repeat } of parsed) {
      if (repeat) repeated.push({ where, reason: repeat })
      else seenAt.set(key, row.line)
      judgments.push(judgment)
    }
  }
  return { judgments, rejected, repeated }
}

/**
 * Reads pairwise judgments: columns system_a, system_b, judge, item, criterion and choice, where the
 * choice is `A`, `B` or `neutral` (also `tie`, `same`, `0`; case does not matter), or the name of
 * one of the two systems. The same (judge, item, pair, criterion) twice, whichever order the pair
 * was shown in, is a repeat (see `repeats`).
 */
export function readPairwiseJudgments(content: string, options: ReadJudgmentsOptions): JudgmentsRead<PairwiseJudgment> {
  const table = readTableRows(content, options)
  const { columns } = table
  const col = {
    systemA: requireColumn(columns, 'systemA', options.source),
    systemB: requireColumn(columns, 'systemB', options.source),
    judge: requireColumn(columns, 'judge', options.source),
    item: requireColumn(columns, 'item', options.source),
    criterion: requireColumn(columns, 'criterion', options.source),
    choice: requireColumn(columns, 'choice', options.source),
  }
  const rejected = table.rejected.slice()
  const repeated: RejectedRow[] = []
  const judgments: PairwiseJudgment[] = []
  const seenAt = new Map<string, number>()
  for (const row of table.rows) {
    const where = `${options.source}:${row.line}`
    const values = Object.fromEntries(Object.entries(col).map(([k, c]) => [k, text(row, c)])) as Record<keyof typeof col, string | undefined>
    const empty = Object.entries(values).find(([, v]) => v === undefined)
    let reason: string | undefined
    let choice: PairwiseChoice | undefined
    if (empty) reason = `the ${empty[0]} is empty`
    else if (values.systemA === values.systemB) reason = `system A and system B are both ${values.systemA}`
    else {
      choice = parseChoice(values.choice!, values.systemA!, values.systemB!)
      if (!choice) reason = `the choice ${JSON.stringify(values.choice)} is not A, B, neutral or one of the two systems`
    }
    const key = JSON.stringify([values.judge, values.item, values.criterion, ...unorderedPair(values.systemA!, values.systemB!)])
    if (!reason && seenAt.has(key)) {
      const repeat = `judge ${values.judge} already compared ${values.systemA} and ${values.systemB} on item ${values.item} for ${values.criterion} (line ${seenAt.get(key)})`
      if (options.repeats === 'refuse') reason = repeat
      else repeated.push({ where, reason: repeat })
    }
    if (reason) {
      if (!options.lenient) throw new MetricsInputError(reason, where)
      rejected.push({ where, reason })
      continue
    }
    if (!seenAt.has(key)) seenAt.set(key, row.line)
    judgments.push({
      systemA: values.systemA!,
      systemB: values.systemB!,
      judge: values.judge!,
      item: values.item!,
      criterion: values.criterion!,
      choice: choice!,
    })
  }
  return { judgments, rejected, repeated }
}

function parseChoice(raw: string, systemA: string, systemB: string): PairwiseChoice | undefined {
  const v = raw.trim().toLowerCase()
  if (v === 'a' || v === systemA.toLowerCase()) return 'A'
  if (v === 'b' || v === systemB.toLowerCase()) return 'B'
  if (v === 'neutral' || v === 'tie' || v === 'same' || v === '0' || v === 'n') return 'neutral'
  return undefined
}

/** The two systems of a pair in sorted order: the same whichever way the pair was shown. */
export function unorderedPair(systemA: string, systemB: string): [string, string] {
  return systemA < systemB ? [systemA, systemB] : [systemB, systemA]
}

/** Where a pairwise judgment falls when its pair is read as (`first`, the other): 0 prefers `first`, 1 neutral, 2 prefers the other. */
export function choiceSide(j: PairwiseJudgment, first: string): 0 | 1 | 2 {
  if (j.choice === 'neutral') return 1
  return (j.choice === 'A') === (j.systemA === first) ? 0 : 2
}
