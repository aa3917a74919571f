import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadGPT2 } from '../pretrained/load-gpt2'
import { saveGPT2 } from '../pretrained/save-gpt2'
import { beforeAll, describe, expect, it } from 'vitest'
import { useBackend } from '../testing/tiny'
import { ConfigError, gpt2Config, reconcileConfig } from './config'
import { GPT2 } from './gpt2'
import { weightsFromStateDict } from './weights'

describe('config.json is type-checked at load time', () => {
  it.each([
    ['layer_norm_epsilon', '1e-5', /layer_norm_epsilon must be a number in \(0, 1\), got string "1e-5"/],
    ['layer_norm_epsilon', [1], /layer_norm_epsilon must be a number in \(0, 1\), got an array/],
    ['n_layer', '2', /n_layer must be an integer >= 1, got string "2"/],
    ['n_head', 2.5, /n_head must be an integer >= 1/],
    ['eos_token_id', -5, /eos_token_id must be a token id in \[0, 50257\), got number -5/],
    ['eos_token_id', 1e9, /eos_token_id must be a token id in \[0, 50257\)/],
    ['bos_token_id', '50256', /bos_token_id must be a token id/],
    ['resid_pdrop', 1.5, /resid_pdrop must be a probability in \[0, 1\)/],
    ['tie_word_embeddings', 'yes', /tie_word_embeddings must be true or false/],
    ['n_inner', 'big', /n_inner must be an integer >= 1/],
  ])('%s = %j is a ConfigError naming the field', (field, value, message) => {
    const error = (() => {
      try {
        gpt2Config({ [field]: value })
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(ConfigError)
    expect(error).toMatchObject({ field, message: expect.stringMatching(message) })
  })

  it.each([[null], [[]], [42]])('a config of %j is refused, not treated as "no config"', (value) => {
    expect(() => gpt2Config(value as never)).toThrow(/must be a JSON object/)
    expect(() => reconcileConfig(new Map(), value as never)).toThrow(ConfigError)
  })

  describe('through fromPretrained', () => {
    let dir: string
    beforeAll(async () => {
      await useBackend('cpu')
      dir = mkdtempSync(join(tmpdir(), 'config-check-'))
      const model = GPT2.random(gpt2Config('micro'), 1)
      await saveGPT2(model, dir)
      model.dispose()
    })

    it('names the file and the field, before any weight is allocated', async () => {
      const base = { model_type: 'gpt2', vocab_size: 512, n_positions: 64, n_embd: 32, n_layer: 2, n_head: 2, bos_token_id: 511, eos_token_id: 511 }
      for (const [patch, field] of [
        [{ layer_norm_epsilon: '1e-5' }, 'layer_norm_epsilon'],
        [{ eos_token_id: 600 }, 'eos_token_id'],
      ] as const) {
        writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...base, ...patch }))
        const error = await loadGPT2(dir).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ConfigError)
        expect(error).toMatchObject({ field, file: join(dir, 'config.json') })
        expect((error as Error).message).toContain(join(dir, 'config.json'))
      }
      for (const text of ['null', '[]', '42']) {
        writeFileSync(join(dir, 'config.json'), text)
        await expect(loadGPT2(dir)).rejects.toThrow(/config\.json: a GPT-2 config must be a JSON object/)
      }
      writeFileSync(join(dir, 'config.json'), '{"n_head": ')
      await expect(loadGPT2(dir)).rejects.toThrow(/config\.json: not valid JSON/)
      truncateSync(join(dir, 'config.json'), 17 * 2 ** 20) // sparse: 17 MiB of nothing
      await expect(loadGPT2(dir)).rejects.toThrow(/config\.json: 17825792 bytes, larger than any config/)
    })
  })

  it('keeps weightsFromStateDict usable on a checked config', () => {
    expect(() => weightsFromStateDict(new Map(), gpt2Config('micro'))).toThrow(/has no 'transformer.wte.weight'/)
  })
})
