// Scores two example systems with the DSTC-7 / DialoGPT evaluation (pnpm tsx examples/evaluate.ts).
// METEOR needs METEOR 1.5's English data: --meteor-data DIR, else ../shared/meteor-data when it
// is beside the repository, else the download cache if it has been filled; otherwise METEOR is
// skipped (this example never goes online by itself).
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { dstcEvaluate, type MeteorResources } from '@dialogpt/metrics'
import { defaultMeteorCacheDir, formatTable, loadMeteorResources, readCorpus } from '@dialogpt/metrics/node'

const here = dirname(fileURLToPath(import.meta.url))

export async function findMeteorResources(explicit?: string): Promise<{ resources?: MeteorResources; from: string }> {
  const candidates = [explicit, resolve(here, '..', '..', 'shared', 'meteor-data'), defaultMeteorCacheDir()].filter((d): d is string => !!d)
  for (const dir of candidates) if (existsSync(join(dir, 'english.words'))) return { resources: await loadMeteorResources(dir), from: dir }
  return { from: 'none found: METEOR skipped (pass --meteor-data DIR)' }
}

export async function evaluateExamples(meteorDir?: string): Promise<void> {
  const data = join(here, 'metrics')
  const refs = [join(data, 'references-a.txt'), join(data, 'references-b.txt')]
  const { resources, from } = await findMeteorResources(meteorDir)
  console.log(`METEOR data: ${from}`)
  for (const system of ['specific', 'bland']) {
    const { hypotheses, references } = await readCorpus(join(data, `system-${system}.txt`), refs)
    const scores = dstcEvaluate({ hypotheses, references, clean: true, meteor: resources ? { resources } : false })
    console.log(`\nsystem: ${system}\n${formatTable(scores)}`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--meteor-data')
  await evaluateExamples(i > 0 ? process.argv[i + 1] : undefined)
}
