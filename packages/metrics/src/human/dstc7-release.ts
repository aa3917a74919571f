import { MetricsInputError } from '../errors'
import { readTableRows } from '../text/table-rows'
import type { LikertJudgment } from './judgments'

/**
 * Systems whose released per-instance score pools several per-judge system IDs. In DSTC-7's
 * `dstc7-task2-human_evaluation.tsv` the `TeamCE` column is the mean of the per-judge ratings of
 * both `TeamCE` and `TeamEC` (12 ratings an instance, hence its twelfths); every other column is
 * the mean of its own 6 ratings (3 judges × relevance and informativeness).
 */
export const DSTC7_POOLED_SYSTEMS: Readonly<Record<string, readonly string[]>> = { TeamCE: ['TeamCE', 'TeamEC'] }

/** The file names of the DSTC-7 Task 2 human-evaluation release. */
export const DSTC7_RELEASE_FILES = {
  perJudge: 'dstc7-task2-human-eval-per-judge.tsv',
  released: 'dstc7-task2-human_evaluation.tsv',
  gold: 'dstc7-task2-gold_responses.tsv',
  responses: 'dstc7-task2-system_responses.tsv',
} as const

function lines(content: string, source: string): { cells: string[]; line: number }[] {
  if (content.charCodeAt(0) === 0xfeff) content = content.slice(1)
  const out = content.split('\n').map((l, i) => ({ cells: (l.endsWith('\r') ? l.slice(0, -1) : l).split('\t'), line: i + 1 }))
  while (out.length > 0 && out.at(-1)!.cells.join('') === '') out.pop()
  if (out.length === 0) throw new MetricsInputError('the file is empty', source)
  return out
}

/**
 * Reads the release's multi-reference file (`InstanceID`, then one column per reference; rows have
 * different lengths). A reference written DialoGPT's way, `score|text`, keeps the text. Returns the
 * references of each instance, in file order.
 */
export function readDstc7References(content: string, source: string): Map<string, string[]> {
  const refs = new Map<string, string[]>()
  for (const { cells, line } of lines(content, source).slice(1)) {
    const [id, ...rest] = cells
    if (!id) throw new MetricsInputError('the InstanceID is empty', `${source}:${line}`)
    if (refs.has(id)) throw new MetricsInputError(`instance ${id} appears twice`, `${source}:${line}`)
    const texts = rest.filter((r) => r.trim() !== '').map((r) => r.replace(/^-?\d+(\.\d+)?\|/, ''))
    if (texts.length === 0) throw new MetricsInputError(`instance ${id} has no reference`, `${source}:${line}`)
    refs.set(id, texts)
  }
  return refs
}

/** Reads the release's system responses (`SystemID`, `InstanceID`, `Response`): system → instance → response. */
export function readDstc7Responses(content: string, source: string): Map<string, Map<string, string>> {
  const { rows } = readTableRows(content, { format: 'tsv', source })
  const out = new Map<string, Map<string, string>>()
  for (const r of rows) {
    const system = String(r.fields.SystemID ?? '')
    const instance = String(r.fields.InstanceID ?? '')
    if (!system || !instance) throw new MetricsInputError('needs SystemID and InstanceID', `${source}:${r.line}`)
    let m = out.get(system)
    if (!m) out.set(system, (m = new Map()))
    if (m.has(instance)) throw new MetricsInputError(`${system} answers instance ${instance} twice`, `${source}:${r.line}`)
    m.set(instance, String(r.fields.Response ?? ''))
  }
  return out
}

/** The release's per-instance scores: the printed text and its value, by system and instance. */
export interface ReleasedScores {
  systems: string[]
  instances: string[]
  /** system → instance → the cell as printed (two decimals). */
  cells: Map<string, Map<string, string>>
}

/** Reads `dstc7-task2-human_evaluation.tsv` (`InstanceID`, then one column per system). A final `Average` row, which the full release has, is skipped. */
export function readDstc7ReleasedScores(content: string, source: string): ReleasedScores {
  const { columns, rows } = readTableRows(content, { format: 'tsv', source })
  const [idColumn, ...systems] = columns
  const cells = new Map(systems.map((s) => [s, new Map<string, string>()]))
  const instances: string[] = []
  for (const r of rows) {
    const id = String(r.fields[idColumn!])
    if (id === 'Average') continue
    instances.push(id)
    for (const s of systems) {
      const v = String(r.fields[s]).trim()
      if (!Number.isFinite(Number(v)) || v === '') throw new MetricsInputError(`the ${s} score ${JSON.stringify(v)} is not a number`, `${source}:${r.line}`)
      cells.get(s)!.set(id, v)
    }
  }
  return { systems, instances, cells }
}

/** A released cell that the per-judge ratings do not give. */
export interface ReleasedScoreDifference {
  instance: string
  system: string
  released: string
  /** The mean of the per-judge ratings, printed as the release prints (two decimals); `undefined` when there are none. */
  reproduced: string | undefined
  ratings: number
}

/** The outcome of {@link reproduceReleasedScores}. */
export interface ReleasedScoreCheck {
  cells: number
  matched: number
  differences: ReleasedScoreDifference[]
}

/**
 * Recomputes every released per-instance score as the mean of the per-judge ratings of that
 * instance and system (all criteria), printed to two decimals, and lists every cell that differs.
 * `pooled` names systems whose released column pools several per-judge IDs (default
 * {@link DSTC7_POOLED_SYSTEMS}; pass `{}` to see what each ID gives alone).
 */
export function reproduceReleasedScores(
  judgments: readonly LikertJudgment[],
  released: ReleasedScores,
  pooled: Readonly<Record<string, readonly string[]>> = DSTC7_POOLED_SYSTEMS,
): ReleasedScoreCheck {
  const sums = new Map<string, [number, number]>()
  for (const j of judgments) {
    const key = `${j.system}\t${j.item}`
    const s = sums.get(key) ?? [0, 0]
    s[0] += j.rating
    s[1]++
    sums.set(key, s)
  }
  const differences: ReleasedScoreDifference[] = []
  let cells = 0
  for (const system of released.systems)
    for (const instance of released.instances) {
      cells++
      let sum = 0
      let count = 0
      for (const id of pooled[system] ?? [system]) {
        const s = sums.get(`${id}\t${instance}`)
        if (s) {
          sum += s[0]
          count += s[1]
        }
      }
      const reproduced = count > 0 ? (sum / count).toFixed(2) : undefined
      const printed = released.cells.get(system)!.get(instance)!
      if (reproduced !== printed) differences.push({ instance, system, released: printed, reproduced, ratings: count })
    }
  return { cells, matched: cells - differences.length, differences }
}
