import type { RejectedRow } from '../text/table-rows'
import type { ReleasedScoreCheck } from './dstc7-release'
import type { LikertSummary } from './likert'
import type { MetricHumanAgreement } from './metric-agreement'
import type { PreferenceComparison } from './preference'

/** An agreement figure between judges. */
export interface AgreementFigure {
  criterion: string
  /** `alpha-ordinal`, `alpha-interval` (Krippendorff) or `fleiss-kappa`. */
  measure: 'alpha-ordinal' | 'alpha-interval' | 'alpha-nominal' | 'fleiss-kappa'
  value: number
  /** Units (or subjects) it was computed on. */
  units: number
  /** Subjects left out (Fleiss' kappa needs the same number of judges on each). */
  skipped?: number
  /** Why `value` is NaN: the measure is undefined on these data (every rating the same, no unit with two ratings). */
  undefinedBecause?: string
}

/** Everything `dialogpt-eval human` reports. */
export interface HumanEvaluationReport {
  source: string
  bootstrap: { iterations: number; seed: number; confidence: number }
  likert?: LikertSummary[]
  preferences?: PreferenceComparison[]
  agreement: AgreementFigure[]
  /** The check of DSTC-7's released per-instance scores, when asked. */
  released?: ReleasedScoreCheck
  /** Rows left out in lenient mode. */
  rejected: RejectedRow[]
  /** Judgments kept that repeat an earlier one by the same judge (see `repeats`). */
  repeated: RejectedRow[]
  judgments: number
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a')
const pval = (p: number, iterations: number) => (p === 0 ? `< ${(2 / iterations).toPrecision(1)}` : p.toFixed(4))
const pct = (x: number) => `${(100 * x).toFixed(0)}%`

function mdTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

function csvCell(v: string | number): string {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

function csvTable(header: string[], rows: (string | number)[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')
}

/** The human evaluation as Markdown: the ranking per criterion, the preference table, agreement, and the released-score check. */
export function humanEvaluationMarkdown(r: HumanEvaluationReport): string {
  const out: string[] = []
  const { iterations, seed, confidence } = r.bootstrap
  out.push(`# Human evaluation: ${r.source}`)
  out.push('')
  out.push(`${r.judgments} judgments. Bootstrap over items: ${iterations} resamples, seed ${seed}, ${Math.round(confidence * 100)}% percentile intervals.`)
  if (r.repeated.length > 0)
    out.push(`${r.repeated.length} judgments repeat an earlier one by the same judge on the same item and system; both are counted (the first: ${r.repeated[0]!.where}: ${r.repeated[0]!.reason}).`)
  if (r.rejected.length > 0) out.push(`**${r.rejected.length} rows left out** (lenient mode); the first: ${r.rejected[0]!.where}: ${r.rejected[0]!.reason}`)
  for (const s of r.likert ?? []) {
    out.push('')
    out.push(`## ${s.criterion}: ranking (${s.items} items; differences significant at p ≤ ${s.alpha})`)
    out.push('')
    out.push(
      mdTable(
        ['rank', 'system', 'mean', 'sd', `${Math.round(confidence * 100)}% CI`, 'ratings', 'significantly above'],
        s.systems.map((x) => [
          String(x.rank),
          x.system,
          f(x.mean.estimate),
          f(x.mean.sd, 4),
          `(${f(x.mean.ci[0])}, ${f(x.mean.ci[1])})`,
          String(x.ratings),
          x.significantlyAbove.length === s.systems.length - 1 - s.systems.indexOf(x) && x.significantlyAbove.length > 0
            ? 'all below'
            : x.significantlyAbove.join(', ') || '—',
        ]),
      ),
    )
    const adjacent = s.systems.slice(1).map((x, i) => s.differences.find((d) => d.higher === s.systems[i]!.system && d.lower === x.system)!)
    out.push('')
    out.push('Neighbours in the ranking:')
    out.push('')
    out.push(
      mdTable(
        ['pair', 'difference', 'sd', `${Math.round(confidence * 100)}% CI`, 'p'],
        adjacent.map((d) => [
          `${d.higher} − ${d.lower}`,
          f(d.difference.estimate),
          f(d.difference.sd, 4),
          `(${f(d.difference.ci[0])}, ${f(d.difference.ci[1])})`,
          `${pval(d.difference.p, iterations)}${d.significant ? '' : ' (n.s.)'}`,
        ]),
      ),
    )
  }
  if (r.preferences?.length) {
    out.push('')
    out.push('## Pairwise preferences (Table 7) and bootstrap test (Table 8)')
    out.push('')
    out.push('Means on a 0–1 scale: the share of judgments preferring the system (neutral counts for neither unless `--ties half`).')
    out.push('')
    out.push(
      mdTable(
        ['criterion', 'system A', 'A', 'neutral', 'B', 'system B', 'mean A (CI)', 'mean B (CI)', 'A − B (CI)', 'p', 'sign test p'],
        r.preferences.map((p) => [
          p.criterion,
          p.systemA,
          `${p.counts.a} (${pct(p.shares.a)})`,
          `${p.counts.neutral} (${pct(p.shares.neutral)})`,
          `${p.counts.b} (${pct(p.shares.b)})`,
          `${p.systemB} ${p.stars}`.trim(),
          `${f(p.meanA.estimate, 4)} (${f(p.meanA.ci[0], 4)}, ${f(p.meanA.ci[1], 4)})`,
          `${f(p.meanB.estimate, 4)} (${f(p.meanB.ci[0], 4)}, ${f(p.meanB.ci[1], 4)})`,
          `${f(p.difference.estimate, 4)} (${f(p.difference.ci[0], 4)}, ${f(p.difference.ci[1], 4)})`,
          pval(p.difference.p, iterations),
          p.signTestP.toPrecision(3),
        ]),
      ),
    )
    out.push('')
    out.push('Marks as the paper: * p ≤ 0.01, ** p ≤ 0.001, *** p ≤ 0.0001, **** p ≤ 0.00001, never finer than 2 / resamples allows.')
  }
  if (r.agreement.length) {
    out.push('')
    out.push('## Agreement between judges')
    out.push('')
    out.push(
      mdTable(
        ['criterion', 'measure', 'value', 'units'],
        r.agreement.map((a) => [a.criterion, a.measure, a.undefinedBecause ? `undefined (${a.undefinedBecause.replace(/^[^:]*: /, '')})` : f(a.value, 4), `${a.units}${a.skipped ? ` (${a.skipped} skipped)` : ''}`]),
      ),
    )
  }
  if (r.released) {
    const c = r.released
    out.push('')
    out.push('## Released per-instance scores, recomputed from the per-judge ratings')
    out.push('')
    out.push(`${c.matched} of ${c.cells} cells equal the mean of their per-judge ratings printed to two decimals (TeamCE pools the TeamCE and TeamEC ratings).`)
    if (c.differences.length)
      out.push(`${c.differences.length} differ; the first: ${c.differences[0]!.system} on ${c.differences[0]!.instance}: released ${c.differences[0]!.released}, recomputed ${c.differences[0]!.reproduced ?? 'none'}.`)
  }
  return `${out.join('\n')}\n`
}

/** The human evaluation as CSV blocks (ranking, preferences, agreement), each with its own header, separated by a blank line. */
export function humanEvaluationCsv(r: HumanEvaluationReport): string {
  const blocks: string[] = []
  if (r.likert?.length)
    blocks.push(
      csvTable(
        ['criterion', 'rank', 'system', 'mean', 'sd', 'ci_low', 'ci_high', 'ratings', 'items', 'significantly_above'],
        r.likert.flatMap((s) =>
          s.systems.map((x) => [s.criterion, x.rank, x.system, x.mean.estimate, x.mean.sd, x.mean.ci[0], x.mean.ci[1], x.ratings, x.items, x.significantlyAbove.join(' ')]),
        ),
      ),
    )
  if (r.preferences?.length)
    blocks.push(
      csvTable(
        ['criterion', 'system_a', 'system_b', 'a', 'neutral', 'b', 'total', 'items', 'mean_a', 'mean_a_sd', 'mean_a_low', 'mean_a_high', 'mean_b', 'mean_b_sd', 'mean_b_low', 'mean_b_high', 'difference', 'difference_sd', 'difference_low', 'difference_high', 'p', 'sign_test_p', 'stars'],
        r.preferences.map((p) => [
          p.criterion,
          p.systemA,
          p.systemB,
          p.counts.a,
          p.counts.neutral,
          p.counts.b,
          p.counts.total,
          p.items,
          p.meanA.estimate,
          p.meanA.sd,
          p.meanA.ci[0],
          p.meanA.ci[1],
          p.meanB.estimate,
          p.meanB.sd,
          p.meanB.ci[0],
          p.meanB.ci[1],
          p.difference.estimate,
          p.difference.sd,
          p.difference.ci[0],
          p.difference.ci[1],
          p.difference.p,
          p.signTestP,
          p.stars,
        ]),
      ),
    )
  if (r.agreement.length)
    blocks.push(csvTable(['criterion', 'measure', 'value', 'units', 'skipped'], r.agreement.map((a) => [a.criterion, a.measure, a.value, a.units, a.skipped ?? 0])))
  return `${blocks.join('\n\n')}\n`
}

/** How each metric agrees with the judges, as Markdown. */
export function metricAgreementMarkdown(r: MetricHumanAgreement, confidence = 0.95): string {
  const ci = (e: { estimate: number; ci: [number, number] }) => `${f(e.estimate)} (${f(e.ci[0], 2)}, ${f(e.ci[1], 2)})`
  const out: string[] = []
  out.push(`# Automatic metrics against human judgments (${r.instances} instances, ${r.systems.length} systems)`)
  out.push('')
  out.push(
    mdTable(
      ['system', 'human', 'NIST-2', 'NIST-4', 'BLEU-2', 'BLEU-4', 'METEOR', 'Ent-4', 'Dist-1', 'Dist-2', 'Avg len'],
      [...r.systems]
        .sort((a, b) => b.human - a.human)
        .map((s) => [
          s.system,
          f(s.human),
          f(s.metrics['NIST-2'], 4),
          f(s.metrics['NIST-4'], 4),
          `${f(100 * s.metrics['BLEU-2'], 2)}%`,
          `${f(100 * s.metrics['BLEU-4'], 2)}%`,
          `${f(100 * s.metrics.METEOR, 2)}%`,
          f(s.metrics['Entropy-4'], 2),
          `${f(100 * s.metrics['Dist-1'], 2)}%`,
          `${f(100 * s.metrics['Dist-2'], 2)}%`,
          f(s.metrics['Avg len'], 1),
        ]),
    ),
  )
  for (const level of ['system', 'segment'] as const) {
    const rows = r.correlations.filter((c) => c.level === level)
    if (!rows.length) continue
    out.push('')
    out.push(`## ${level === 'system' ? 'System' : 'Segment'} level (n = ${rows[0]!.n}; ${Math.round(confidence * 100)}% bootstrap CI)`)
    out.push('')
    out.push(mdTable(['metric', 'Pearson', 'Spearman', 'Kendall'], rows.map((c) => [c.metric, ci(c.correlations.pearson), ci(c.correlations.spearman), ci(c.correlations.kendall)])))
  }
  return `${out.join('\n')}\n`
}

/** How each metric agrees with the judges, as CSV blocks (systems, then correlations). */
export function metricAgreementCsv(r: MetricHumanAgreement): string {
  const metrics = Object.keys(r.systems[0]?.metrics ?? {})
  const systems = csvTable(['system', 'human', 'human_ratings', ...metrics], r.systems.map((s) => [s.system, s.human, s.humanRatings, ...metrics.map((m) => s.metrics[m as keyof typeof s.metrics])]))
  const corr = csvTable(
    ['level', 'metric', 'n', 'coefficient', 'value', 'sd', 'ci_low', 'ci_high'],
    r.correlations.flatMap((c) =>
      (['pearson', 'spearman', 'kendall'] as const).map((k) => [c.level, c.metric, c.n, k, c.correlations[k].estimate, c.correlations[k].sd, c.correlations[k].ci[0], c.correlations[k].ci[1]]),
    ),
  )
  return `${systems}\n\n${corr}\n`
}
