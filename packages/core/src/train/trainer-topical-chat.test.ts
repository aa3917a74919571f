import { readFileSync } from 'node:fs'
import { beforeAll, expect, it } from 'vitest'
import { turnsToFeatures } from '@dialogpt/data'
import { describeShared, sharedPath } from '../../../../test/shared'
import { gpt2Config } from '../model/config'
import { GPT2 } from '../model/gpt2'
import { useBackend } from '../testing/tiny'
import { Trainer } from './trainer'

function dialogues(file: string, count: number) {
  const data = JSON.parse(readFileSync(sharedPath('data', 'topical-chat', file), 'utf8')) as Record<string, { content: { message: string }[] }>
  return Object.values(data)
    .slice(0, count)
    .flatMap((d) => turnsToFeatures(d.content.map((t) => ({ text: t.message, weight: 1 })), { maxLength: 64 }))
}

describeShared('Trainer on Topical-Chat', ['data', 'topical-chat'], () => {
  beforeAll(() => useBackend('wasm'))

  it('a tiny GPT-2 (real vocabulary) lowers validation perplexity steadily', async () => {
    const model = GPT2.random(gpt2Config('tiny'), 11)
    const perplexities: number[] = []
    const trainer = new Trainer(model, {
      train: dialogues('valid_freq.json', 60),
      valid: dialogues('test_freq.json', 8),
      learningRate: 3e-3,
      schedule: 'linear',
      warmupSteps: 3,
      totalSteps: 30,
      batchSize: 6,
      maxLength: 64,
      evaluateEvery: 10,
      callbacks: { onEvaluate: (e) => void perplexities.push(e.ppl) },
    })
    await trainer.evaluate() // before training: about the vocabulary size (recorded by onEvaluate)
    await trainer.fit({ steps: 30 })
    console.log(`Topical-Chat validation perplexity by evaluation: ${perplexities.map((p) => p.toFixed(0)).join(" → ")}`)
    expect(perplexities[0]).toBeGreaterThan(20_000)
    for (let k = 1; k < perplexities.length; k++) expect(perplexities[k]!).toBeLessThan(perplexities[k - 1]! * 1.05)
    expect(perplexities).toHaveLength(4)
    expect(perplexities.at(-1)!).toBeLessThan(perplexities[0]! * 0.1)
    trainer.dispose()
    model.dispose()
  })
})
