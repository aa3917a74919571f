// A training run in its own process, for the kill-and-resume tests (run with tsx).
// Usage: train-child.ts <outDir> <steps> <backend> [resume]
// Prints `step N` after each step; SIGINT aborts gracefully (checkpoint, then exit 0).
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import '../register-gradients'
import '../node'
import { gpt2Config } from '../model/config'
import { GPT2 } from '../model/gpt2'
import { Trainer } from '../train/trainer'
import { microExamples } from './micro-data'

async function main(): Promise<void> {
  const [outputDir, steps, backend, resume] = process.argv.slice(2)
  await tf.setBackend(backend!)
  await tf.ready()
  const model = GPT2.random(gpt2Config('micro'), 3)
  const controller = new AbortController()
  process.on('SIGINT', () => controller.abort())
  const trainer = new Trainer(model, {
    train: microExamples(60),
    valid: microExamples(10, 7),
    learningRate: 2e-3,
    schedule: 'linear',
    warmupSteps: 3,
    optimizer: 'adamw',
    batchSize: 4,
    gradientAccumulation: 2,
    evaluateEvery: 4,
    outputDir,
    checkpointEvery: 3,
    keepCheckpoints: 2,
    callbacks: { onStep: (e) => void process.stdout.write(`step ${e.step}\n`) },
  })
  const result = await trainer.fit({ steps: Number(steps), resume: resume === 'resume', signal: controller.signal })
  process.stdout.write(`done ${result.reason} ${result.step} ${result.resumedFrom ?? '-'}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`)
  process.exit(1)
})
