import { MetricsInputError } from '../errors'

/** How a table of judgments is written. */
export type TableFormat = 'tsv' | 'csv' | 'jsonl'

/** One data row of a table: its fields by column name, and where it came from. */
export interface TableRow {
  /** 1-based line in the file where the row starts. */
  line: number
  fields: Record<string, unknown>
}

/** A table's rows, and the rows that could not be read (only with `lenient`). */
export interface TableRows {
  columns: string[]
  rows: TableRow[]
  /** Rows refused in lenient mode, each with its line and the reason. */
  rejected: RejectedRow[]
}

/** A row that was not used, with the place and the reason. */
export interface RejectedRow {
  where: string
  reason: string
}

/** Options of {@link readTableRows}. */
export interface ReadTableOptions {
  format: TableFormat
  /** The file's name, for messages (`judgments.tsv:17`). */
  source: string
  /** Count malformed rows in `rejected` instead of throwing. Default false. */
  lenient?: boolean
}

/** Picks the format from a file name: `.csv`, `.jsonl`/`.ndjson`, anything else TSV. */
export function tableFormatOf(path: string): TableFormat {
  const lower = path.toLowerCase()
  if (lower.endsWith('.csv')) return 'csv'
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl'
  return 'tsv'
}

/**
 * Reads a table with a header line (TSV, CSV as RFC 4180 with quoted fields, or JSON lines, one
 * object per line). A leading byte-order mark is dropped, `\r\n` is accepted, blank lines are
 * skipped. A row with the wrong number of fields, a CSV quote left open or a line that is not a JSON
 * object is refused with `file:line`, or counted in `rejected` when `lenient` is set.
 */
export function readTableRows(text: string, options: ReadTableOptions): TableRows {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const raw = options.format === 'csv' ? csvRecords(text, options.source) : lineRecords(text, options.format)
  const rejected: RejectedRow[] = []
  const refuse = (line: number, reason: string) => {
    if (!options.lenient) throw new MetricsInputError(reason, `${options.source}:${line}`)
    rejected.push({ where: `${options.source}:${line}`, reason })
  }
  if (options.format === 'jsonl') return { ...jsonRows(raw, refuse), rejected }
  const [header, ...body] = raw.filter((r) => !(r.cells.length === 1 && r.cells[0] === ''))
  if (!header) throw new MetricsInputError('the file is empty (a header line is needed)', options.source)
  const columns = header.cells.map((c) => c.trim())
  const seen = new Set<string>()
  for (const c of columns) {
    if (c === '') throw new MetricsInputError('the header has an empty column name', `${options.source}:${header.line}`)
    if (seen.has(c)) throw new MetricsInputError(`the header names the column "${c}" twice`, `${options.source}:${header.line}`)
    seen.add(c)
  }
  const rows: TableRow[] = []
  for (const r of body) {
    if (r.error) refuse(r.line, r.error)
    else if (r.cells.length !== columns.length) refuse(r.line, `has ${r.cells.length} fields, the header has ${columns.length}`)
    else rows.push({ line: r.line, fields: Object.fromEntries(columns.map((c, i) => [c, r.cells[i]!])) })
  }
  return { columns, rows, rejected }
}

interface RawRecord {
  line: number
  cells: string[]
  error?: string
}

function lineRecords(text: string, format: 'tsv' | 'jsonl'): RawRecord[] {
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines.map((l, i) => {
    const line = l.endsWith('\r') ? l.slice(0, -1) : l
    return { line: i + 1, cells: format === 'tsv' ? line.split('\t') : [line] }
  })
}

function jsonRows(raw: RawRecord[], refuse: (line: number, reason: string) => void): Omit<TableRows, 'rejected'> {
  const rows: TableRow[] = []
  const columns = new Set<string>()
  for (const r of raw) {
    const line = r.cells[0]!
    if (line.trim() === '') continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (error) {
      refuse(r.line, `is not valid JSON (${(error as Error).message})`)
      continue
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      refuse(r.line, 'is not a JSON object')
      continue
    }
    Object.keys(value).forEach((k) => columns.add(k))
    rows.push({ line: r.line, fields: value as Record<string, unknown> })
  }
  return { columns: [...columns], rows }
}

// RFC 4180: fields separated by commas, optionally quoted; a quote inside a quoted field is doubled;
// quoted fields may hold commas and line breaks. Each record remembers the line it starts on.
function csvRecords(text: string, source: string): RawRecord[] {
  const records: RawRecord[] = []
  let line = 1
  let i = 0
  const n = text.length
  while (i < n) {
    const start = line
    const cells: string[] = []
    let error: string | undefined
    for (;;) {
      let cell = ''
      if (text[i] === '"') {
        i++
        let closed = false
        while (i < n) {
          const ch = text[i]!
          if (ch === '"') {
            if (text[i + 1] === '"') {
              cell += '"'
              i += 2
              continue
            }
            i++
            closed = true
            break
          }
          if (ch === '\n') line++
          cell += ch
          i++
        }
        if (!closed) throw new MetricsInputError('a quoted CSV field is never closed', `${source}:${start}`)
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r')
          error ??= 'has characters after a closing quote (a quote inside a field must be doubled)'
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') cell += text[i++]
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') error ??= 'has a quote inside an unquoted field'
          cell += text[i++]
        }
      }
      cells.push(cell)
      if (i < n && text[i] === ',') {
        i++
        continue
      }
      break
    }
    if (text[i] === '\r') i++
    if (text[i] === '\n') i++
    line++
    records.push(error ? { line: start, cells, error } : { line: start, cells })
  }
  return records
}
