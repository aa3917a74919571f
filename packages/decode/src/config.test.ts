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

it('refuses snake_case and unknown options, naming the camelCase key', () => {
  expect(() => resolveConfig({ top_k: 10 } as never)).toThrow(GenerationConfigError)
  expect(() => resolveConfig({ top_k: 10 } as never)).toThrow(/'top_k'.*use 'topK'/)
  expect(() => resolveConfig({ max_new_tokens: 5 } as never)).toThrow(/use 'maxNewTokens'/)
  expect(() => resolveConfig({ topk: 10 } as never)).toThrow(/unknown option 'topk'; the options are .*topK/)
})

it('fills every default from GENERATION_DEFAULTS and keeps what is given, undefined meaning the default', () => {
  const r = resolveConfig({ topK: 7, temperature: undefined, eosTokenId: [5, 6] })
  expect(r.topK).toBe(7)
  expect(r.temperature).toBe(1)
  expect(r.maxNewTokens).toBe(20)
  expect(r.eosTokenIds).toEqual([5, 6])
  expect(r.padTokenId).toBe(5)
  expect(r.badWordsIds).toEqual([])
  expect(r.outputScores).toBe(false)
})
