/**
 * The error every metric throws for bad input. `where` names the place: a file and line
 * (`refs/ref1.txt:17`) or an argument (`references[2]`).
 */
export class MetricsInputError extends Error {
  override readonly name = 'MetricsInputError'
  constructor(
    message: string,
    /** The file and line, or the argument, that the problem is in. */
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message)
  }
}

/** Checks that `references` is a list of reference sets, each as long as `hypotheses`. */
export function checkCorpus(hypotheses: readonly string[], references: readonly (readonly string[])[]): void {
  if (!Array.isArray(hypotheses)) throw new MetricsInputError('must be an array of strings', 'hypotheses')
  if (!Array.isArray(references) || references.length === 0)
    throw new MetricsInputError('must be a non-empty array of reference sets (one string[] per reference file)', 'references')
  references.forEach((set, i) => {
    if (!Array.isArray(set)) throw new MetricsInputError('must be an array of strings (one reference set)', `references[${i}]`)
    if (set.length !== hypotheses.length)
      throw new MetricsInputError(`has ${set.length} segments but there are ${hypotheses.length} hypotheses`, `references[${i}]`)
  })
  hypotheses.forEach((h, i) => {
    if (typeof h !== 'string') throw new MetricsInputError(`is ${typeof h}, not a string`, `hypotheses[${i}]`)
  })
  references.forEach((set, i) =>
    set.forEach((r: unknown, j: number) => {
      if (typeof r !== 'string') throw new MetricsInputError(`is ${typeof r}, not a string`, `references[${i}][${j}]`)
    }),
  )
}
