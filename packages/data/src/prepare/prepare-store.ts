import { turnsToFeatures } from '../encode/tsv'
import { DumpError } from '../input/dump-error'
import type { StoreManifest } from '../store/manifest'
import { writeStore, type StoreWriterOptions } from '../store/store-writer'
import { prepareSessions } from './prepare'
import type { PrepareOptions, PreparedSession } from './prepare-options'
import { emptyReport, type PrepareReport } from './prepare-report'

export interface PrepareStoreOptions extends PrepareOptions {
  /** The store directory to write. */
  out: string
  /** Window length in tokens. Default 128 (the original's). */
  maxLength?: number
  /** Backward-model data: turns reversed. */
  reverse?: boolean
  /** Text → token ids. Default GPT-2's BPE. */
  encode?: (text: string) => number[]
  store?: Omit<StoreWriterOptions, 'meta'>
}

/** {@link prepareSessions} → windowed features → a token store at `out`. Returns the report and the manifest. */
export async function prepareStore(options: PrepareStoreOptions): Promise<{ report: PrepareReport; manifest: StoreManifest }> {
  if (options.inputs.length === 0) throw new DumpError('not-found', '(no input)', 'give at least one input file')
  const report = emptyReport()
  async function* examples() {
    for await (const s of prepareSessions(options, report)) {
      const features = sessionExamples(s, options)
      report.examples += features.length
      yield* features
    }
  }
  const manifest = await writeStore(options.out, examples(), { ...options.store, meta: () => storeMeta(options, report) })
  return { report, manifest }
}

/** A session's training examples: windows of `maxLength` tokens (default 128), reversed for the backward model. */
export function sessionExamples(s: PreparedSession, options: Pick<PrepareStoreOptions, 'maxLength' | 'reverse' | 'encode'>): { inputIds: number[]; labels: number[] }[] {
  return turnsToFeatures(
    s.turns.map((text, i) => ({ text, weight: s.weights[i]! })),
    { maxLength: options.maxLength ?? 128, reverse: options.reverse, encode: options.encode },
  )
}

/**
 * What a prepared store's manifest says of its making (`meta`): the inputs, the encoding and the
 * report, with the report's per-reason counts in sorted order so that the same counts always give
 * the same bytes (a merged sharded store equals a single run's).
 */
export function storeMeta(options: Pick<PrepareStoreOptions, 'inputs' | 'maxLength' | 'reverse'>, report: PrepareReport): Record<string, unknown> {
  const sorted = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return {
    inputs: options.inputs,
    maxLength: options.maxLength ?? 128,
    reverse: options.reverse ?? false,
    report: { ...report, commentsDropped: sorted(report.commentsDropped), dropped: sorted(report.dropped) },
  }
}
