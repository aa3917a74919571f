// One process of the medium checkpoint/resume benchmark: trains a DialoGPT-medium-shaped model
// (random weights, seed 1) on wasm to `steps`, checkpointing every step, fresh or resumed from the
// newest checkpoint in `dir`. `stop` ends the run after that step (as Ctrl-C would: the Trainer
// writes a checkpoint). Prints one JSON line with its timings.
import * as tf from '@tensorflow/tfjs-core'
import { GPT2, gpt2Config, Trainer, type StepEvent } from '@dialogpt/core'
import { setBackend, wasmHeapBytes } from './model-shapes'

const [dir, stepsArg, mode, stopArg] = process.argv.slice(2)
const steps = Number(stepsArg)
const stop = stopArg === undefined ? Infinity : Number(stopArg)
await setBackend(process.env.BENCH_BACKEND ?? 'wasm')
const started = performance.now()
const model = GPT2.random(gpt2Config('medium'), 1)
const built = performance.now()
// 8 training sequences of 8 tokens: the shape and the checkpoint size matter here, not the data.
const train = Array.from({ length: 8 }, (_, b) => {
  const row = Array.from({ length: 8 }, (_, t) => (b * 7919 + t * 104729) % 50257)
  return { inputIds: row, labels: row.map((_, t) => row[(t + 1) % 8]!) }
})
const stepMs: number[] = []
const checkpointMs: number[] = []
let last = performance.now()
const controller = new AbortController()
const trainer = new Trainer(model, {
  train,
  batchSize: 1,
  learningRate: 1e-4,
  schedule: 'constant',
  optimizerState: 'host',
  outputDir: dir,
  checkpointEvery: 1,
  keepCheckpoints: 2,
  callbacks: {
    onStep: (e: StepEvent) => {
      const now = performance.now()
      stepMs.push(now - last)
      last = now
      if (e.step >= stop) controller.abort()
    },
    onCheckpoint: () => {
      const now = performance.now()
      checkpointMs.push(now - last)
      last = now
    },
  },
})
const result = await trainer.fit({ steps, resume: mode === 'resume', signal: controller.signal })
const weights = await model.weights()
const wte = weights.get('transformer.wte.weight')!.data
const fingerprint = Array.from(wte.subarray(0, 4)).concat(Array.from(weights.get('transformer.h.23.mlp.c_proj.weight')!.data.subarray(0, 4)))
console.log(
  JSON.stringify({
    reason: result.reason,
    step: result.step,
    resumedFrom: result.resumedFrom,
    buildMs: built - started,
    stepMs,
    checkpointMs,
    wasmHeapMiB: tf.getBackend() === 'wasm' ? Math.round(wasmHeapBytes() / 2 ** 20) : null,
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    parameters: model.numParameters,
    fingerprint,
  }),
)
trainer.dispose()
model.dispose()
