import * as tf from '@tensorflow/tfjs-core'
import { gpt2Config } from '@dialogpt/core'
import { expect, it } from 'vitest'
import { ModelTooLargeError } from '@dialogpt/core'
import { registerWasmKernels } from '@dialogpt/core/wasm-kernels'
import { checkModelFits } from './load-web-model'

registerWasmKernels()
import { describeWebBackend, selectWebBackend } from './select-web-backend'

it('skips WebGPU where the browser has none and WebGL where it fails, and says why; falls back to wasm', async () => {
  const r = await selectWebBackend({
    load: async (name) => {
      if (name === 'webgl') throw new Error('WebGL is not supported on this device')
      return import('@tensorflow/tfjs-backend-wasm')
    },
  })
  expect(r.chosen).toBe('wasm')
  expect(tf.getBackend()).toBe('wasm')
  expect(r.candidates.map((c) => [c.name, c.available])).toEqual([
    ['webgpu', false],
    ['webgl', false],
    ['wasm', true],
  ])
  expect(r.candidates[0]!.reason).toMatch(/navigator\.gpu is missing/)
  expect(r.candidates[1]!.reason).toMatch(/failed to start: WebGL is not supported/)
  expect(describeWebBackend()).toBe(r)
})

it('a forced backend that cannot start is an error naming it', async () => {
  await expect(selectWebBackend({ prefer: 'webgpu' })).rejects.toThrow(/no backend could start: webgpu: navigator\.gpu is missing/)
  await expect(selectWebBackend({ prefer: 'metal' as never })).rejects.toThrow(/unknown backend 'metal'/)
})

it('refuses a model whose output head exceeds the WebGPU buffer limit, or whose weights exceed the wasm heap', () => {
  const small = gpt2Config('small')
  const gpu = { chosen: 'webgpu' as const, candidates: [], maxStorageBufferBindingSize: 128 * 2 ** 20 }
  expect(() => checkModelFits(small, gpu)).toThrow(ModelTooLargeError)
  expect(() => checkModelFits(small, gpu)).toThrow(/transformer\.wte\.weight needs 147 MiB in one buffer.*binds at most 128 MiB/)
  expect(() => checkModelFits(small, { ...gpu, maxStorageBufferBindingSize: 2 ** 30 })).not.toThrow()
  const wasm = { chosen: 'wasm' as const, candidates: [] }
  expect(() => checkModelFits(small, wasm)).not.toThrow()
  expect(() => checkModelFits(gpt2Config('medium'), wasm)).not.toThrow()
  expect(() => checkModelFits(gpt2Config('large'), wasm)).toThrow(/774M-parameter GPT-2 needs about 6\.\d GiB on the wasm backend.*4 GiB.*tfjs-node/)
})
