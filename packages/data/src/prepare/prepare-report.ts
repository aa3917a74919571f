import type { MalformedLine } from '../input/malformed'

/** The filter report. `lines = comments + malformed`; `sessions = kept + Σ dropped`. */
export interface PrepareReport {
  /** Input records: dump lines (or JSON rows), TSV lines, or dialogues. */
  lines: number
  /** Records that parsed. */
  comments: number
  malformed: number
  /** Comments removed before trees were built (deleted, quoting, under 2 words), by reason. */
  commentsDropped: Record<string, number>
  /** Cycles in the parent links of a thread (corrupt data: A's parent is B, B's is A), cut so that no session runs through one. */
  cyclesCut: number
  /** Candidate sessions (root-to-leaf paths, TSV lines, dialogues). */
  sessions: number
  kept: number
  /** Sessions dropped, by the reason of the first rule that dropped them. */
  dropped: Record<string, number>
  /** Training examples written (after windowing); set by `prepareStore` (in `@dialogpt/data/node`). */
  examples: number
  /** The first 20 malformed lines, with file and line. */
  malformedSamples: MalformedLine[]
}

/** A report with every count at zero. */
export function emptyReport(): PrepareReport {
  return { lines: 0, comments: 0, malformed: 0, commentsDropped: {}, cyclesCut: 0, sessions: 0, kept: 0, dropped: {}, examples: 0, malformedSamples: [] }
}

