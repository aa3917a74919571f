/** Rows padded to one length, with the attention mask (1 for a real position, 0 for padding). */
export interface PaddedRows {
  rows: number[][]
  mask: number[][]
  /** The common length. */
  length: number
}

/**
 * Pads rows to their longest length (or `length`) with `value`, on the `left` (prompts for
 * generation: the last real token is at the end of every row) or the `right` (training batches,
 * scoring: positions stay where they were). The one padding helper of the project.
 */
export function padRows(rows: readonly (readonly number[])[], options: { side: 'left' | 'right'; value: number; length?: number }): PaddedRows {
  const length = options.length ?? Math.max(0, ...rows.map((r) => r.length))
  const padded: number[][] = []
  const mask: number[][] = []
  for (const r of rows) {
    if (r.length > length) throw new RangeError(`a row of ${r.length} is longer than the padded length ${length}`)
    const fill = new Array<number>(length - r.length).fill(options.value)
    const zeros = new Array<number>(length - r.length).fill(0)
    const ones = new Array<number>(r.length).fill(1)
    padded.push(options.side === 'left' ? [...fill, ...r] : [...r, ...fill])
    mask.push(options.side === 'left' ? [...zeros, ...ones] : [...ones, ...zeros])
  }
  return { rows: padded, mask, length }
}
