import { beforeAll, expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { loadMeteorResources } from '../node/load-resources'
import { closeRelative, goldenCases } from '../testing/golden'
import type { MeteorModule } from './aligner'
import { meteor } from './meteor'
import type { MeteorResources } from './resources'

const settings: [string, MeteorModule[]][] = [
  ['exact', ['exact']],
  ['exact_stem', ['exact', 'stem']],
  ['exact_stem_synonym', ['exact', 'stem', 'synonym']],
]

describeShared('METEOR 1.5 against the official jar (golden.json)', ['meteor-data'], () => {
  let resources: MeteorResources
  beforeAll(async () => {
    resources = await loadMeteorResources(sharedPath('meteor-data'))
  })
  const cases = goldenCases().flatMap((c) => settings.map(([name, modules]) => [`${c.name} ${name}`, c, name, modules] as const))
  it.each(cases)('%s', (_label, c, name, modules) => {
    const golden = c.golden.meteor[name]
    const ours = meteor(c.hypotheses, c.references, { resources, modules })
    expect(ours.evalId).toBe(golden.eval_id)
    expect({ test: ours.stats.testLength, ref: ours.stats.referenceLength, chunks: ours.stats.chunks }).toEqual({
      test: golden.test_words,
      ref: golden.reference_words,
      chunks: golden.chunks,
    })
    expect(closeRelative(ours.score, golden.final_score), `final ${ours.score} vs ${golden.final_score}`).toBe(true)
  })
})
