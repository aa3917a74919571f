// Metrics benchmark: the 469-segment, 5-reference DSTC-7 set (dstc7/clean/ref5, Human system).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { averageLength, bleu, distinct, dstcEvaluate, entropy, meteor, nist } from '@dialogpt/metrics'
import { loadMeteorResources, readCorpus } from '@dialogpt/metrics/node'
import { measure, printTable, round, sharedDir, writeResult } from './lib'

export const name = 'metrics'
/** Target from the metrics issue: the full evaluation of this set, resources included, under 1 s. */
export const targets = { fullEvaluationWithLoadingMs: 1000 }

export async function run(): Promise<Record<string, unknown> | undefined> {
  const data = join(sharedDir, 'metrics-golden', 'dstc7', 'clean')
  const meteorDir = join(sharedDir, 'meteor-data')
  if (!existsSync(data) || !existsSync(meteorDir)) {
    console.log(`[skip] metrics benchmark: ${data} or ${meteorDir} is absent`)
    return undefined
  }
  const { hypotheses, references } = await readCorpus(
    join(data, 'hyp.Human.txt'),
    [0, 1, 2, 3, 4].map((i) => join(data, 'ref5', `ref${i}.txt`)),
  )
  const segments = hypotheses.length
  // First: everything from cold, as a user's one-off command would run it.
  const t0 = performance.now()
  const coldResources = await loadMeteorResources(meteorDir)
  dstcEvaluate({ hypotheses, references, meteor: { resources: coldResources } })
  const coldMs = round(performance.now() - t0)

  const resources = await loadMeteorResources(meteorDir)
  const timings = {
    loadResources: await measure(() => loadMeteorResources(meteorDir)),
    bleu: await measure(() => bleu(hypotheses, references)),
    nist: await measure(() => nist(hypotheses, references)),
    meteor: await measure(() => meteor(hypotheses, references, { resources })),
    entropy: await measure(() => entropy(hypotheses)),
    distinct: await measure(() => distinct(hypotheses)),
    averageLength: await measure(() => averageLength(hypotheses)),
    fullEvaluation: await measure(() => dstcEvaluate({ hypotheses, references, meteor: { resources } })),
    fullEvaluationWithLoading: await measure(async () => dstcEvaluate({ hypotheses, references, meteor: { resources: await loadMeteorResources(meteorDir) } })),
  }
  const rows = Object.entries(timings).map(([what, t]) => ({
    what,
    'median ms': t.medianMs,
    'min ms': t.minMs,
    'max ms': t.maxMs,
    'segments/s': what === 'loadResources' ? '-' : Math.round((segments / t.medianMs) * 1000),
  }))
  rows.push({ what: 'fullEvaluationWithLoading (first, cold)', 'median ms': coldMs, 'min ms': coldMs, 'max ms': coldMs, 'segments/s': Math.round((segments / coldMs) * 1000) })
  printTable(`metrics: ${segments} segments x ${references.length} references (DSTC-7 clean, Human)`, rows)
  const result = {
    corpus: 'metrics-golden/dstc7/clean/hyp.Human.txt vs ref5/ref0..4.txt',
    segments,
    references: references.length,
    coldFullEvaluationWithLoadingMs: coldMs,
    timings,
    segmentsPerSecond: Object.fromEntries(Object.entries(timings).map(([k, t]) => [k, Math.round((segments / t.medianMs) * 1000)])),
    targets,
    meets: { fullEvaluationWithLoadingMs: Math.max(coldMs, timings.fullEvaluationWithLoading.medianMs) < targets.fullEvaluationWithLoadingMs },
  }
  console.log(`wrote ${writeResult(name, result)}`)
  return result
}
