import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildPage, chromiumPath, openChromium, pageFile, serveFiles } from './chromium'
import { describeShared, sharedPath } from './shared'

/**
 * The web chat demo (examples/web-chat) in headless Chromium (Debian's `chromium`, driven by
 * playwright-core), talking only to a server on 127.0.0.1 that serves the built page and the
 * gpt2-tiny fixture: the greedy ids on wasm, WebGL and WebGPU (SwiftShader) equal the Node result,
 * the stop button aborts, a reload loads the model from the Cache Storage, and a screenshot of a
 * streamed reply is saved to test/artifacts/.
 */
const root = resolve(__dirname, '..')
const isCI = /^(1|true|yes)$/i.test(process.env.CI ?? '')
const artifacts = join(root, 'test', 'artifacts')
const PROMPT = 'Hello, how are you today?'
const MAX = 12

const run = existsSync(chromiumPath) || isCI
if (!run) console.warn(`[skip] browser tests: ${chromiumPath} is absent (apt install chromium); they fail under CI=true`)

describeShared('web chat demo in Chromium', ['fixtures', 'gpt2-tiny'], () => {
  let closeServer: (() => Promise<void>) | undefined
  let base = ''
  let modelRequests = 0
  let expected: number[] = []
  let expectedLogits: Float32Array = new Float32Array()

  beforeAll(async () => {
    if (!run) return
    if (!existsSync(chromiumPath)) throw new Error(`CI=true but ${chromiumPath} is missing (apt install chromium)`)
    const out = await buildPage(join(root, 'examples', 'web-chat', 'vite.config.ts'), 'dialogpt-web-chat-')
    const server = await serveFiles((path) => {
      if (!path.startsWith('/models/gpt2-tiny/')) return pageFile(out, path)
      modelRequests++
      return { file: sharedPath('fixtures', 'gpt2-tiny', path.slice('/models/gpt2-tiny/'.length)), allowedRoot: sharedPath('fixtures') }
    })
    base = server.base
    closeServer = server.close
    // the Node result for the same greedy call
    const tf = await import('@tensorflow/tfjs-core')
    await import('@tensorflow/tfjs-backend-cpu')
    await tf.setBackend('cpu')
    const { causalLM, GPT2Tokenizer, loadGPT2 } = await import('@dialogpt/core')
    await import('@dialogpt/core/node')
    const { generate } = await import('@dialogpt/decode')
    const model = await loadGPT2(sharedPath('fixtures', 'gpt2-tiny'))
    expected = (await generate(causalLM(model), new GPT2Tokenizer().encodeTurns([PROMPT]), { maxNewTokens: MAX }))[0]![0]!.ids
    const { logits, cache } = model.forward([new GPT2Tokenizer().encodeTurns([PROMPT])], { lastOnly: true })
    expectedLogits = (await logits.data()) as Float32Array
    tf.dispose([logits, ...cache.layers.flatMap((l) => [l.key, l.value])])
    model.dispose()
    mkdirSync(artifacts, { recursive: true })
  })

  afterAll(() => closeServer?.())

  async function open(backend: string, max = MAX) {
    const { context, page } = await openChromium()
    await page.goto(`${base}/index.html?model=${encodeURIComponent(`${base}/models/gpt2-tiny/`)}&backend=${backend}&max=${max}`)
    const status = () => page.evaluate(() => (window as unknown as { dialogptDemo: { status: string } }).dialogptDemo.status)
    const load = async () => {
      await page.click('#load')
      await page.waitForFunction(() => /^(ready|error)/.test((window as unknown as { dialogptDemo: { status: string } }).dialogptDemo.status), null, { timeout: 0 })
      expect(await status()).toMatch(/^ready/)
    }
    const send = async (text: string) => {
      await page.fill('#prompt', text)
      await page.click('#send')
    }
    const finished = () => page.waitForFunction(() => /^(done|stopped|error)/.test((window as unknown as { dialogptDemo: { status: string } }).dialogptDemo.status), null, { timeout: 0 })
    const state = () => page.evaluate(() => (window as unknown as { dialogptDemo: { lastIds: number[]; lastText: string; backend: string; loadedFromCache: boolean; status: string; promptLogits: number[] } }).dialogptDemo)
    return { context, page, status, load, send, finished, state }
  }

  it.runIf(run).each(['wasm', 'webgl', 'webgpu'])('generates the same greedy ids as Node on %s, with the prompt logits within 1e-4', async (backend) => {
    const b = await open(backend)
    try {
      await b.load()
      await b.send(PROMPT)
      await b.finished()
      const s = await b.state()
      expect(s.status).toBe('done')
      expect(s.backend).toBe(backend)
      expect(s.lastIds).toEqual(expected)
      expect(s.promptLogits).toHaveLength(expectedLogits.length)
      let worst = 0
      s.promptLogits.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - expectedLogits[i]!))))
      expect(worst).toBeLessThan(1e-4)
      if (backend === 'wasm') await b.page.screenshot({ path: join(artifacts, 'web-chat.png') })
    } finally {
      await b.context.close()
    }
  })

  it.runIf(run)('fine-tunes the loaded model in the page with the Trainer: the loss falls', async () => {
    const b = await open('wasm')
    try {
      await b.load()
      await b.page.fill('#steps', '12')
      await b.page.click('#train')
      await b.page.waitForFunction(() => /^(trained|training stopped|error)/.test((window as unknown as { dialogptDemo: { status: string } }).dialogptDemo.status), null, { timeout: 0 })
      expect(await b.status()).toBe('trained 12 steps')
      const losses = await b.page.evaluate(() => (window as unknown as { dialogptDemo: { trainLosses: number[] } }).dialogptDemo.trainLosses)
      expect(losses).toHaveLength(12)
      expect(losses.slice(-3).reduce((a, x) => a + x, 0) / 3).toBeLessThan(losses.slice(0, 3).reduce((a, x) => a + x, 0) / 3 - 0.5)
      // and it still chats afterwards
      await b.send(PROMPT)
      await b.finished()
      expect((await b.state()).status).toBe('done')
    } finally {
      await b.context.close()
    }
  })

  it.runIf(run)('the stop button aborts a reply, and a reload loads the model from the cache', async () => {
    const b = await open('wasm', 50)
    try {
      await b.load()
      await b.send(PROMPT)
      await b.page.click('#stop')
      await b.finished()
      const s = await b.state()
      expect(s.status).toBe('stopped')
      expect(s.lastIds.length).toBeLessThan(50)
      const before = modelRequests
      await b.page.reload()
      await b.load()
      expect((await b.state()).loadedFromCache).toBe(true)
      expect(await b.status()).toMatch(/loaded from the browser cache/)
      expect(modelRequests).toBe(before)
    } finally {
      await b.context.close()
    }
  })
})
