import { parseTsvLine, type WeightedTurn } from '../encode/tsv'
import type { PrepareReport } from '../prepare/prepare-report'
import type { MalformedLine } from './malformed'
import { readDumpLines } from './open-dump'

/** The sessions of a DialoGPT `train.tsv` file, one per line: turns and their loss weights. Malformed lines are counted and reported. */
export async function* readTsvSessions(file: string, report: PrepareReport, onMalformed: (m: MalformedLine) => void): AsyncGenerator<WeightedTurn[]> {
  for await (const { line, text } of readDumpLines(file)) {
    report.lines++
    let turns: WeightedTurn[]
    try {
      turns = parseTsvLine(text)
    } catch (error) {
      report.malformed++
      onMalformed({ file, line, reason: (error as Error).message })
      continue
    }
    report.comments++
    yield turns
  }
}
