import type { PrepareReport } from './prepare-report'

/** The report as a table: counts and every drop reason with its share. */
export function formatPrepareReport(report: PrepareReport): string {
  const pct = (n: number, of: number) => (of > 0 ? `${((100 * n) / of).toFixed(1)}%` : '-')
  const rows: [string, number, string][] = [
    ['lines read', report.lines, ''],
    ['  comments / records', report.comments, ''],
    ['  malformed', report.malformed, pct(report.malformed, report.lines)],
  ]
  for (const [reason, n] of Object.entries(report.commentsDropped).sort((a, b) => b[1] - a[1])) rows.push([`  comment dropped: ${reason}`, n, pct(n, report.comments)])
  if (report.cyclesCut) rows.push(['  parent-link cycles cut', report.cyclesCut, ''])
  rows.push(['sessions', report.sessions, ''])
  for (const [reason, n] of Object.entries(report.dropped).sort((a, b) => b[1] - a[1])) rows.push([`  dropped: ${reason}`, n, pct(n, report.sessions)])
  rows.push(['  kept', report.kept, pct(report.kept, report.sessions)], ['examples written', report.examples, ''])
  const w = Math.max(...rows.map((r) => r[0].length))
  const lines = rows.map(([label, n, share]) => `${label.padEnd(w)}  ${String(n).padStart(9)}  ${share}`.trimEnd())
  for (const m of report.malformedSamples.slice(0, 5)) lines.push(`  malformed: ${m.file}:${m.line}: ${m.reason}`)
  return `${lines.join('\n')}\n`
}

