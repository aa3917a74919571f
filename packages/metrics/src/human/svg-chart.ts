/** One row of an {@link intervalChartSvg}: a value with its interval. */
export interface IntervalRow {
  label: string
  estimate: number
  low: number
  high: number
  /** A short note drawn after the label (a rank, significance marks). */
  note?: string
}

/** One point of a {@link scatterChartSvg} panel. */
export interface ScatterPoint {
  label: string
  x: number
  y: number
}

/** One panel of a {@link scatterChartSvg}. */
export interface ScatterPanel {
  title: string
  xLabel: string
  yLabel: string
  points: ScatterPoint[]
  /** A line of text under the title, e.g. the correlations. */
  subtitle?: string
}

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"'

/** Escapes text for SVG. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2))

// Round tick values spanning [lo, hi], each with its label (as many decimals as the step needs).
function ticks(lo: number, hi: number, count = 5): [number, string][] {
  if (!(hi > lo)) return [[lo, fmt(lo)]]
  const raw = (hi - lo) / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!
  let decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9))
  if (Math.abs(step / 10 ** -decimals - Math.round(step / 10 ** -decimals)) > 1e-9) decimals++
  const out: [number, string][] = []
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push([Number(t.toFixed(12)), t.toFixed(decimals)])
  return out
}

function padRange(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite)
  let lo = Math.min(...finite)
  let hi = Math.max(...finite)
  if (lo === hi) {
    lo -= 0.5
    hi += 0.5
  }
  const pad = (hi - lo) * 0.06
  return [lo - pad, hi + pad]
}

/**
 * A dot-and-whisker chart: one row per system, its estimate as a dot and its interval as a line,
 * on a shared axis. Self-contained SVG (no scripts, no external fonts).
 */
export function intervalChartSvg(options: { title: string; axisLabel: string; rows: IntervalRow[] }): string {
  const { rows } = options
  const labelWidth = Math.ceil(Math.max(80, ...rows.map((r) => 8.2 * (r.label.length + (r.note ? r.note.length + 1 : 0)))) + 20)
  const plotWidth = 460
  const rowHeight = 26
  const top = 48
  const width = labelWidth + plotWidth + 80
  const height = top + rows.length * rowHeight + 56
  const [lo, hi] = padRange(rows.flatMap((r) => [r.low, r.high, r.estimate]))
  const x = (v: number) => labelWidth + ((v - lo) / (hi - lo)) * plotWidth
  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="13">`)
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`)
  parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(options.title)}</text>`)
  const bottom = top + rows.length * rowHeight
  for (const [t, label] of ticks(lo, hi)) {
    parts.push(`<line x1="${x(t).toFixed(1)}" y1="${top - 6}" x2="${x(t).toFixed(1)}" y2="${bottom}" stroke="#e5e7eb"/>`)
    parts.push(`<text x="${x(t).toFixed(1)}" y="${bottom + 18}" text-anchor="middle" fill="#374151">${label}</text>`)
  }
  parts.push(`<text x="${labelWidth + plotWidth / 2}" y="${bottom + 40}" text-anchor="middle" fill="#111827">${escapeXml(options.axisLabel)}</text>`)
  rows.forEach((r, i) => {
    const y = top + i * rowHeight + rowHeight / 2
    const label = r.note ? `${r.label} ${r.note}` : r.label
    parts.push(`<text x="${labelWidth - 10}" y="${y + 4}" text-anchor="end" fill="#111827">${escapeXml(label)}</text>`)
    parts.push(`<line x1="${x(r.low).toFixed(1)}" y1="${y}" x2="${x(r.high).toFixed(1)}" y2="${y}" stroke="#2563eb" stroke-width="2.5"/>`)
    for (const v of [r.low, r.high]) parts.push(`<line x1="${x(v).toFixed(1)}" y1="${y - 5}" x2="${x(v).toFixed(1)}" y2="${y + 5}" stroke="#2563eb" stroke-width="2"/>`)
    parts.push(`<circle cx="${x(r.estimate).toFixed(1)}" cy="${y}" r="4.5" fill="#1e3a8a"/>`)
    parts.push(`<text x="${(x(r.high) + 8).toFixed(1)}" y="${y + 4}" fill="#4b5563" font-size="11">${fmt(r.estimate)} [${fmt(r.low)}, ${fmt(r.high)}]</text>`)
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

/**
 * Small multiples of scatter plots, one panel per metric: each point a system (metric on x, human
 * score on y), labelled. Self-contained SVG.
 */
export function scatterChartSvg(options: { title: string; panels: ScatterPanel[]; columns?: number }): string {
  const { panels } = options
  const columns = Math.max(1, Math.min(options.columns ?? 3, panels.length))
  const panelW = 330
  const panelH = 270
  const top = 44
  const width = columns * panelW + 20
  const height = top + Math.ceil(panels.length / columns) * panelH + 10
  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="11">`)
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`)
  parts.push(`<text x="${width / 2}" y="26" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(options.title)}</text>`)
  panels.forEach((p, k) => {
    const ox = 10 + (k % columns) * panelW
    const oy = top + Math.floor(k / columns) * panelH
    const left = ox + 52
    const right = ox + panelW - 16
    const ptop = oy + 40
    const pbottom = oy + panelH - 44
    const [xlo, xhi] = padRange(p.points.map((q) => q.x))
    const [ylo, yhi] = padRange(p.points.map((q) => q.y))
    const sx = (v: number) => left + ((v - xlo) / (xhi - xlo)) * (right - left)
    const sy = (v: number) => pbottom - ((v - ylo) / (yhi - ylo)) * (pbottom - ptop)
    parts.push(`<g>`)
    parts.push(`<text x="${(left + right) / 2}" y="${oy + 14}" text-anchor="middle" font-size="13" font-weight="600">${escapeXml(p.title)}</text>`)
    if (p.subtitle) parts.push(`<text x="${(left + right) / 2}" y="${oy + 30}" text-anchor="middle" fill="#4b5563">${escapeXml(p.subtitle)}</text>`)
    parts.push(`<rect x="${left}" y="${ptop}" width="${right - left}" height="${pbottom - ptop}" fill="none" stroke="#9ca3af"/>`)
    for (const [t, label] of ticks(xlo, xhi, 4))
      parts.push(`<text x="${sx(t).toFixed(1)}" y="${pbottom + 14}" text-anchor="middle" fill="#374151">${label}</text>`)
    for (const [t, label] of ticks(ylo, yhi, 4)) {
      parts.push(`<line x1="${left}" y1="${sy(t).toFixed(1)}" x2="${right}" y2="${sy(t).toFixed(1)}" stroke="#f3f4f6"/>`)
      parts.push(`<text x="${left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end" fill="#374151">${label}</text>`)
    }
    parts.push(`<text x="${(left + right) / 2}" y="${pbottom + 32}" text-anchor="middle" fill="#111827">${escapeXml(p.xLabel)}</text>`)
    parts.push(
      `<text x="${ox + 12}" y="${(ptop + pbottom) / 2}" text-anchor="middle" fill="#111827" transform="rotate(-90 ${ox + 12} ${(ptop + pbottom) / 2})">${escapeXml(p.yLabel)}</text>`,
    )
    for (const q of p.points) {
      parts.push(`<circle cx="${sx(q.x).toFixed(1)}" cy="${sy(q.y).toFixed(1)}" r="3.5" fill="#dc2626"/>`)
      parts.push(`<text x="${(sx(q.x) + 5).toFixed(1)}" y="${(sy(q.y) - 5).toFixed(1)}" fill="#374151" font-size="9">${escapeXml(q.label)}</text>`)
    }
    parts.push(`</g>`)
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
