// Test helpers: the gpt2-tiny fixture and a tfjs backend (cpu or wasm, from TFJS_BACKEND).
import * as tf from '@tensorflow/tfjs-core'
import '@tensorflow/tfjs-backend-cpu'
import '@tensorflow/tfjs-backend-wasm'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll } from 'vitest'
import { sharedPath } from '../../../../test/shared'
import { readSafetensors } from '../checkpoint/safetensors'
import { GPT2 } from '../model/gpt2'
import '../node'
import { registerWasmKernels } from '../kernels/wasm'
import '../register-gradients'

export const tinyDir = sharedPath('fixtures', 'gpt2-tiny')

/** Switches tfjs to `name` with the wasm kernels registered, as `@dialogpt/backend-node` does for users. */
export async function useBackend(name = process.env.TFJS_BACKEND ?? 'cpu'): Promise<void> {
  registerWasmKernels()
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name)
    if (!ok) throw new Error(`tfjs backend ${name} failed to initialise`)
  }
  await tf.ready()
}

export function loadTiny(): GPT2 {
  const dict = readSafetensors(readFileSync(`${tinyDir}/model.safetensors`)).tensors
  const config = JSON.parse(readFileSync(`${tinyDir}/config.json`, 'utf8'))
  return GPT2.fromStateDict(dict, config)
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixture data
export const tinyGolden = (): any => JSON.parse(readFileSync(`${tinyDir}/golden.json`, 'utf8'))

/**
 * Registers `beforeAll` / `afterAll` hooks that switch to `backend`, load the gpt2-tiny fixture
 * and dispose it after the suite; returns a getter for the model (call it inside tests).
 */
export function useTinyModel(backend = 'cpu'): () => GPT2 {
  let model: GPT2 | undefined
  beforeAll(async () => {
    await useBackend(backend)
    model = loadTiny()
  })
  afterAll(() => model?.dispose())
  return () => {
    if (!model) throw new Error('the gpt2-tiny model is not loaded (useTinyModel must be called in a describe block)')
    return model
  }
}
