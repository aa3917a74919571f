import { MetricsInputError } from '../errors'
import { readLinesFile } from './read-lines'

/** A hypothesis file and its reference files, read and checked. */
export interface Corpus {
  hypotheses: string[]
  references: string[][]
}

/**
 * Reads a hypothesis file and one or more reference files (one segment per line). Every file
 * must have the same number of lines as the hypothesis file; an empty corpus is an error.
 */
export async function readCorpus(hypPath: string, refPaths: readonly string[]): Promise<Corpus> {
  if (refPaths.length === 0) throw new MetricsInputError('at least one reference file is needed', 'references')
  const hypotheses = await readLinesFile(hypPath)
  if (hypotheses.length === 0) throw new MetricsInputError('is empty: there is nothing to score', hypPath)
  const references = await Promise.all(refPaths.map(readLinesFile))
  references.forEach((lines, i) => {
    if (lines.length !== hypotheses.length) {
      const where = `${refPaths[i]}:${Math.min(lines.length, hypotheses.length) + 1}`
      throw new MetricsInputError(`has ${lines.length} lines but ${hypPath} has ${hypotheses.length}; every reference file needs one line per hypothesis`, where)
    }
  })
  return { hypotheses, references }
}
