// Human-evaluation benchmark (#18): the full DSTC-7 per-judge release (15,477 rows × 2 criteria,
// 11 system IDs, 469 items) with 10,000 bootstrap resamples, on one core (JavaScript's one thread).
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { correlate, evaluateHumanJudgments, readDstc7ReleasedScores, readLikertJudgments } from '@dialogpt/metrics'
import { measure, printTable, round, sharedDir, writeResult } from './lib'

export const name = 'human-eval'
/** Target from the issue: the full set, 10k iterations, under 5 s on one core. */
export const targets = { fullReportMs: 5000 }

export async function run(): Promise<Record<string, unknown> | undefined> {
  const dir = join(sharedDir, 'data', 'dstc7-task2-human-eval')
  if (!existsSync(dir)) {
    console.log(`[skip] human-eval benchmark: ${dir} is absent`)
    return undefined
  }
  const perJudge = join(dir, 'dstc7-task2-human-eval-per-judge.tsv')
  const releasedPath = join(dir, 'dstc7-task2-human_evaluation.tsv')
  const iterations = 10_000
  // Everything a `dialogpt-eval human` run does after starting: read, parse, rank with the bootstrap,
  // agreement, and the released-score check.
  const full = () => {
    const { judgments } = readLikertJudgments(readFileSync(perJudge, 'utf8'), { format: 'tsv', source: perJudge })
    const released = readDstc7ReleasedScores(readFileSync(releasedPath, 'utf8'), releasedPath)
    return evaluateHumanJudgments({ likert: judgments, released, iterations })
  }
  const t0 = performance.now()
  const report = full()
  const coldMs = round(performance.now() - t0)
  const { judgments } = readLikertJudgments(readFileSync(perJudge, 'utf8'), { format: 'tsv', source: perJudge })
  const timings = {
    read: await measure(() => readLikertJudgments(readFileSync(perJudge, 'utf8'), { format: 'tsv', source: perJudge }), 5),
    rankingsOnly: await measure(() => evaluateHumanJudgments({ likert: judgments, iterations }), 3),
    fullReport: await measure(full, 3),
    systemCorrelation10k: await measure(() => correlate([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 1, 4, 3, 6, 5, 8, 7, 10, 9], { iterations }), 3),
  }
  const rows = Object.entries(timings).map(([what, t]) => ({ what, 'median ms': t.medianMs, 'min ms': t.minMs, 'max ms': t.maxMs, 'of the 5 s target': `${round(t.medianMs / targets.fullReportMs, 3)}x` }))
  rows.push({ what: 'fullReport (first, cold)', 'median ms': coldMs, 'min ms': coldMs, 'max ms': coldMs, 'of the 5 s target': `${round(coldMs / targets.fullReportMs, 3)}x` })
  printTable(`human-eval: ${judgments.length} judgments, ${report.likert![0]!.systems.length} systems, ${report.likert![0]!.items} items, ${iterations} resamples, one thread`, rows)
  const result = {
    data: 'shared/data/dstc7-task2-human-eval (per-judge file and released scores)',
    judgments: judgments.length,
    iterations,
    coldFullReportMs: coldMs,
    timings,
    targets,
    meets: { fullReportMs: Math.max(coldMs, timings.fullReport.medianMs) < targets.fullReportMs },
  }
  console.log(`wrote ${writeResult(name, result)}`)
  return result
}
