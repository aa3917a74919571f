import { expect, it } from 'vitest'
import { GenerationConfig, GenerationConfigError, resolveConfig } from './config'

it('reads generation_config.json as Hugging Face writes it', () => {
  const c = GenerationConfig.fromHF({ do_sample: true, top_k: 10, top_p: 0.9, max_length: 60, eos_token_id: 50256, pad_token_id: null, transformers_version: '4.40' }, 10)
  expect(c).toEqual({ doSample: true, topK: 10, topP: 0.9, eosTokenId: 50256, maxNewTokens: 50 })
})

it('keeps Hugging Face defaults and refuses bad settings with a clear message', () => {
  const r = resolveConfig({})
  expect(r).toMatchObject({ maxNewTokens: 20, topK: 50, topP: 1, temperature: 1, numBeams: 1, eosTokenIds: [50256], padTokenId: 50256 })
  expect(resolveConfig({ eosTokenId: [7, 8] }).padTokenId).toBe(7)
  expect(() => resolveConfig({ temperature: 0 })).toThrow(GenerationConfigError)
  expect(() => resolveConfig({ numBeams: 2, numReturnSequences: 3 })).toThrow(/numReturnSequences \(3\) must be <= numBeams \(2\)/)
  expect(() => resolveConfig({ numReturnSequences: 2 })).toThrow(/greedy search returns one sequence/)
  expect(() => resolveConfig({ earlyStopping: 'sometimes' as never })).toThrow(/earlyStopping/)
})
