import * as tf from '@tensorflow/tfjs-core'
import { expect, it } from 'vitest'
import { useBackend } from '../../testing/tiny'
import { gpt2Config } from '../../model/config'
import { GPT2 } from '../../model/gpt2'
import { registerWasmKernels } from '.'
import { ModelTooLargeError } from '../../model/model-too-large-error'
import { checkModelFits, checkTrainingFits, WASM_HEAP_BYTES, wasmInferenceBytes } from './fits'
import { Trainer } from '../../train/trainer'

it('counts the weights, the packed copies of the block matrices and the cached head', () => {
  const c = gpt2Config('small')
  const blockMatrices = c.n_layer * 12 * c.n_embd * c.n_embd
  const all = 124_439_808 // GPT-2 124M's parameter count
  const wte = c.vocab_size * c.n_embd
  expect(wasmInferenceBytes(c, { headCache: false })).toBe(4 * (all + blockMatrices))
  expect(wasmInferenceBytes(c) - wasmInferenceBytes(c, { headCache: false })).toBe(8 * wte)
})

it('lets 124M and 345M onto wasm and refuses 762M there with the sizes and the way out, but not on other backends', () => {
  expect(() => checkModelFits(gpt2Config('small'))).not.toThrow()
  expect(() => checkModelFits(gpt2Config('medium'))).not.toThrow()
  let error: unknown
  try {
    checkModelFits(gpt2Config('large'))
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(ModelTooLargeError)
  const e = error as ModelTooLargeError
  expect(e.message).toMatch(/774M-parameter GPT-2 needs about 6\.\d GiB on the wasm backend \(2\.9 GiB of fp32 weights/)
  expect(e.message).toMatch(/ends at 4 GiB.*@tensorflow\/tfjs-node.*'cpu'/)
  expect(e.neededBytes).toBeGreaterThan(WASM_HEAP_BYTES)
  expect(e.limitBytes).toBe(WASM_HEAP_BYTES)
})

it('with the wasm kernels registered, the GPT2 constructor refuses a model too large for wasm before allocating anything', async () => {
  await useBackend('wasm')
  registerWasmKernels()
  const before = tf.memory().numTensors
  expect(() => new GPT2(gpt2Config('large'), new Map())).toThrow(ModelTooLargeError)
  expect(tf.memory().numTensors).toBe(before)
})

it('lets 124M train on wasm and refuses to train 345M there (measured: its first backward runs the heap out), naming the way out, before anything is allocated', async () => {
  expect(() => checkTrainingFits(gpt2Config('small'))).not.toThrow()
  expect(() => checkTrainingFits(gpt2Config('medium'))).toThrow(ModelTooLargeError)
  expect(() => checkTrainingFits(gpt2Config('medium'))).toThrow(/training a 355M-parameter GPT-2 needs about 4\.\d GiB on the wasm backend .*moments already live in host memory.*'cpu'/)
  // The Trainer asks before it builds an optimizer or reads any data.
  await useBackend('wasm')
  registerWasmKernels()
  const fake = { config: gpt2Config('medium'), dtype: 'fp32', numParameters: 354_823_168, parameters: () => new Map() } as unknown as GPT2
  const before = tf.memory().numTensors
  expect(() => new Trainer(fake, { train: [{ inputIds: [1, 2], labels: [2, 3] }] })).toThrow(ModelTooLargeError)
  expect(tf.memory().numTensors).toBe(before)
})
