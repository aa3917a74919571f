import { parseArgs } from 'node:util'
import { mergeStores } from '@dialogpt/data/node'
import { flagTable, UsageError, type CliIo } from './io'
import { printReport } from './prepare'

export const MERGE_STORES_USAGE = `Usage: dialogpt merge-stores --work DIR --out DIR [--overwrite] [--json]

Combines the partial stores of a sharded 'dialogpt prepare --shard I/N --work DIR' run (phase 2 of
every shard done) into one store and one report: the store one process would have written from the
same inputs and options, byte for byte. Refuses a run with a shard missing or unfinished, or shards
of different runs.
`

const FLAGS = flagTable(['work', 'out'] as const, ['overwrite', 'json'] as const)

/** `dialogpt merge-stores`. Returns the exit status. */
export async function mergeStoresCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: FLAGS, allowPositionals: false })
  if (values.help) {
    io.stdout(MERGE_STORES_USAGE)
    return 0
  }
  if (!values.work) throw new UsageError('--work is required')
  if (!values.out) throw new UsageError('--out is required')
  const started = Date.now()
  const { report, manifest } = await mergeStores({ work: values.work, out: values.out, store: { overwrite: values.overwrite } })
  printReport(io, values.json === true, report, `${manifest.examples} examples from ${values.work} merged into ${values.out} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
  return 0
}
