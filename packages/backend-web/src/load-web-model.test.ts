import '@tensorflow/tfjs-backend-cpu'
import * as tf from '@tensorflow/tfjs-core'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { generate } from '@dialogpt/decode'
import { HubError, readSafetensors } from '@dialogpt/core'
import { describeShared, sharedPath } from '../../../test/shared'
import { writeReleasedLayout } from '../../core/src/testing/released-layouts'
import { huggingFaceUrl, loadWebModel } from './load-web-model'

it('builds Hub URLs for a revision, refs/pr/N encoded as the Hub expects, and refuses unsafe names', () => {
  expect(huggingFaceUrl('microsoft/DialoGPT-medium')).toBe('https://huggingface.co/microsoft/DialoGPT-medium/resolve/main/')
  expect(huggingFaceUrl('microsoft/DialoGPT-medium', { revision: 'refs/pr/9' })).toBe('https://huggingface.co/microsoft/DialoGPT-medium/resolve/refs%2Fpr%2F9/')
  expect(huggingFaceUrl('a/b', { endpoint: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9/a/b/resolve/main/')
  expect(() => huggingFaceUrl('a/b', { revision: '../../x' })).toThrow(HubError)
  expect(() => huggingFaceUrl('../x')).toThrow(/not a Hub repository id/)
})

describeShared('loadWebModel against a local server in the Hub\'s layout', ['fixtures', 'gpt2-tiny'], () => {
  const tiny = sharedPath('fixtures', 'gpt2-tiny')
  const files = new Map<string, Uint8Array>()
  const asked: string[] = []
  let server: Server
  let base = ''
  beforeAll(async () => {
    await tf.setBackend('cpu')
    const reference = readSafetensors(readFileSync(`${tiny}/model.safetensors`)).tensors
    // DialoGPT-medium's main branch: config, generation config and a legacy fp16 pytorch_model.bin, no safetensors.
    files.set('/m/resolve/main/config.json', readFileSync(`${tiny}/config.json`))
    files.set('/m/resolve/main/generation_config.json', new TextEncoder().encode(JSON.stringify({ max_new_tokens: 3, eos_token_id: 50256 })))
    files.set('/m/resolve/main/pytorch_model.bin', await writeReleasedLayout(reference, { container: 'legacy', dtype: 'float16', head: 'lm_head.weight' }))
    // Its PR branch: safetensors.
    files.set('/m/resolve/refs%2Fpr%2F1/config.json', readFileSync(`${tiny}/config.json`))
    files.set('/m/resolve/refs%2Fpr%2F1/model.safetensors', readFileSync(`${tiny}/model.safetensors`))
    server = createServer((req, res) => {
      asked.push(req.url!)
      const body = files.get(req.url!)
      if (!body) return void res.writeHead(404).end()
      res.writeHead(200, { 'content-length': String(body.length) }).end(body)
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((done) => server.close(() => done())))

  it('reads pytorch_model.bin when the revision has no model.safetensors, and applies generation_config.json', async () => {
    const bot = await loadWebModel(huggingFaceUrl('m', { endpoint: base }), { cacheName: null })
    expect(asked).toContain('/m/resolve/main/model.safetensors')
    expect(asked).toContain('/m/resolve/main/pytorch_model.bin')
    expect(bot.generation).toMatchObject({ maxNewTokens: 3 })
    expect(bot.notes.join('\n')).toMatch(/lm_head\.weight equals transformer\.wte\.weight/)
    const prompt = bot.tokenizer.encodeTurns(['Hello'])
    const got = (await bot.generate(prompt, { doSample: false }))[0]![0]!
    expect(got.ids).toHaveLength(3)
    expect(got.ids).toEqual((await generate(bot.lm, prompt, { maxNewTokens: 3, doSample: false }))[0]![0]!.ids)
    bot.dispose()
  })

  it('loads a revision (refs/pr/N) that has safetensors, and a missing weight file named explicitly is an error with the URL', async () => {
    const bot = await loadWebModel(huggingFaceUrl('m', { endpoint: base, revision: 'refs/pr/1' }), { cacheName: null })
    expect(bot.model.config.n_layer).toBe(2)
    bot.dispose()
    await expect(loadWebModel(`${base}/m/resolve/refs%2Fpr%2F1/`, { cacheName: null, weights: 'pytorch_model.bin' })).rejects.toThrow(/pytorch_model\.bin: HTTP 404/)
  })
})
