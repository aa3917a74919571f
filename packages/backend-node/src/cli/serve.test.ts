import { expect, it } from 'vitest'
import { describeShared, sharedPath } from '../../../../test/shared'
import { useBackend } from '../select-backend'
import { serveCommand } from './serve'

describeShared('dialogpt serve', ['fixtures', 'gpt2-tiny'], () => {
  it('serves the model on 127.0.0.1 with the decoding flags as defaults, requires the key from --api-key-env, and stops on SIGTERM', async () => {
    await useBackend('wasm')
    process.env.DIALOGPT_TEST_KEY = 'k3y'
    const err: string[] = []
    let url = ''
    const listening = new Promise<void>((up) => {
      void serveCommand(['--model', sharedPath('fixtures', 'gpt2-tiny'), '--port', '0', '--api-key-env', 'DIALOGPT_TEST_KEY', '--max-new-tokens', '4', '--model-id', 'tiny'], { stdout: () => undefined, stderr: (t) => err.push(t) }, (u) => {
        url = u
        up()
      }).then((code) => (exit = code))
    })
    let exit: number | undefined
    await listening
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(err.join('')).toMatch(/at http:\/\/127\.0\.0\.1:\d+\/v1 \(API key required\)/)
    const ask = (key?: string) =>
      fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }], temperature: 0 }) })
    expect((await ask()).status).toBe(401)
    const ok = (await (await ask('k3y')).json()) as { model: string; usage: { completion_tokens: number } }
    expect(ok.model).toBe('tiny')
    expect(ok.usage.completion_tokens).toBeLessThanOrEqual(4)
    process.emit('SIGTERM')
    while (exit === undefined) await new Promise((r) => setTimeout(r, 10))
    expect(exit).toBe(0)
    delete process.env.DIALOGPT_TEST_KEY
  })
})
