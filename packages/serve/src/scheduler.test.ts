import '@tensorflow/tfjs-backend-cpu'
import * as tf from '@tensorflow/tfjs-core'
import { beforeAll, expect, it } from 'vitest'
import { generate } from '@dialogpt/decode'
import { randomTable, ToyLM } from '../../decode/src/testing/toy-lm'
import { ApiError } from './api-error'
import { Scheduler } from './scheduler'

beforeAll(() => tf.setBackend('cpu'))

it('runs requests that waited together as one batch, in order, each as generate() alone; refuses beyond the queue; drops a request whose client left', async () => {
  const model = new ToyLM(randomTable(8, 31))
  const scheduler = new Scheduler(model, 5, 2, 3)
  const never = new AbortController().signal
  let release!: () => void
  const holding = scheduler.alone(() => new Promise<void>((r) => (release = r)), never)
  expect(scheduler.state).toMatchObject({ running: 1, waiting: 0 })
  const requests = [1, 2, 3, 4].map((seed) => ({ prompt: [seed, 2, 7], config: { maxNewTokens: 5, doSample: seed % 2 === 0, seed, eosTokenId: 7 } }))
  const leaving = new AbortController()
  const gone = scheduler.batched({ prompt: [5, 7], config: { maxNewTokens: 3 } }, leaving.signal)
  const answers = requests.map((r) => scheduler.batched(r, never))
  expect(() => scheduler.batched(requests[0]!, never)).toThrow(ApiError)
  expect(scheduler.state.waiting).toBe(5)
  leaving.abort()
  await expect(gone).rejects.toMatchObject({ name: 'AbortError' })
  expect(scheduler.state.waiting).toBe(4)
  model.stepRows = []
  release()
  await holding
  const results = await Promise.all(answers)
  // maxBatch 3: the first three together, then the fourth.
  expect(scheduler.state).toMatchObject({ batches: 2, largestBatch: 3, running: 0, waiting: 0 })
  expect(model.stepRows[0]).toBe(3)
  for (const [i, r] of requests.entries()) expect(results[i]).toEqual({ sequence: (await generate(model, r.prompt, r.config))[0]![0] })
  expect(model.liveCaches).toBe(0)
})
