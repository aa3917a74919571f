import * as tf from '@tensorflow/tfjs-core'
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu'
import { afterEach, expect, it } from 'vitest'
import { describeBackend, selectBackend, useBackend, type ModuleLoader } from './select-backend'

/** Stand-ins for the native packages, which cannot be installed on this machine. */
const fakeNative =
  (installed: Record<string, 'ok' | 'broken'>): ModuleLoader =>
  (specifier) => {
    const state = installed[specifier]
    if (!state) throw Object.assign(new Error(`Cannot find module '${specifier}'`), { code: 'MODULE_NOT_FOUND' })
    if (state === 'broken') throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory')
    // What tfjs-node does on require: register its 'tensorflow' backend (here backed by the cpu code).
    if (!tf.findBackendFactory('tensorflow')) tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3)
    return {}
  }

afterEach(async () => {
  if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow')
  await tf.setBackend('cpu')
})

it('prefers tfjs-node-gpu when it is installed', async () => {
  const r = await selectBackend({ load: fakeNative({ '@tensorflow/tfjs-node-gpu': 'ok', '@tensorflow/tfjs-node': 'ok' }), env: {} })
  expect(r).toMatchObject({ chosen: 'tensorflow-gpu', backend: 'tensorflow' })
  expect(tf.getBackend()).toBe('tensorflow')
  expect(describeBackend()).toBe(r)
})

it('takes tfjs-node when only it is installed, saying why the GPU package was not used', async () => {
  const r = await selectBackend({ load: fakeNative({ '@tensorflow/tfjs-node': 'ok' }), env: {} })
  expect(r.chosen).toBe('tensorflow')
  expect(r.candidates[0]).toMatchObject({ name: 'tensorflow-gpu', available: false, reason: '@tensorflow/tfjs-node-gpu is not installed (npm install @tensorflow/tfjs-node-gpu)' })
})

it('falls back to wasm when neither native package is installed', async () => {
  const r = await selectBackend({ load: fakeNative({}), env: {} })
  expect(r).toMatchObject({ chosen: 'wasm', backend: 'wasm', wasmThreads: 1 })
  expect(r.wasmThreadsReason).toMatch(/ERR_WORKER_PATH/)
  expect(r.candidates.map((c) => [c.name, c.available])).toEqual([
    ['tensorflow-gpu', false],
    ['tensorflow', false],
    ['wasm', true],
    ['cpu', false],
  ])
})

it('reports a broken native install and moves on', async () => {
  const r = await selectBackend({ load: fakeNative({ '@tensorflow/tfjs-node-gpu': 'broken' }), env: {} })
  expect(r.chosen).toBe('wasm')
  expect(r.candidates[0]!.reason).toMatch(/installed but failed to load: libtensorflow\.so\.2: cannot open shared object file/)
})

it('honours DIALOGPT_BACKEND and useBackend, and refuses an unavailable or unknown forced backend', async () => {
  expect((await selectBackend({ load: fakeNative({}), env: { DIALOGPT_BACKEND: 'cpu' } })).chosen).toBe('cpu')
  expect(tf.getBackend()).toBe('cpu')
  expect((await useBackend('wasm', { load: fakeNative({}) })).backend).toBe('wasm')
  await expect(selectBackend({ load: fakeNative({}), env: { DIALOGPT_BACKEND: 'tensorflow' } })).rejects.toThrow(/backend 'tensorflow' is not available: @tensorflow\/tfjs-node is not installed/)
  await expect(selectBackend({ env: { DIALOGPT_BACKEND: 'gpu-please' } })).rejects.toThrow(/unknown backend 'gpu-please'/)
})

it('gives wasm the UnsortedSegmentSum kernel that the gather gradient needs', async () => {
  await useBackend('wasm', { load: fakeNative({}) })
  const table = tf.variable(tf.tensor2d([[1, 2], [3, 4], [5, 6]]))
  const { grads } = tf.variableGrads(() => tf.sum(tf.gather(table, tf.tensor1d([2, 0, 2], 'int32'))) as tf.Scalar, [table])
  expect(Array.from(Object.values(grads)[0]!.dataSync())).toEqual([1, 1, 0, 0, 2, 2])
})
