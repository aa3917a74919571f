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

/** The largest |a[i] - b[i]|. */
const maxAbsDiff = (a: readonly number[], b: ArrayLike<number>) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0)

describeShared('web chat demo in Chromium', ['fixtures', 'gpt2-tiny'], () => {
  let closeServer: (() => Promise<void>) | undefined
  let base = ''
  let modelRequests = 0
  let expected: number[] = []
  let expectedLogits: Float32Array = new Float32Array()
  let expectedQ8: number[] = []
  let expectedQ8Logits: Float32Array = new Float32Array()

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
    // The same with the matrices quantized to q8 as they load (the composite product here on cpu; the SIMD kernel in the page).
    const q8 = await loadGPT2(sharedPath('fixtures', 'gpt2-tiny'), { dtype: 'q8' })
    expectedQ8 = (await generate(causalLM(q8), new GPT2Tokenizer().encodeTurns([PROMPT]), { maxNewTokens: MAX }))[0]![0]!.ids
    const q8Out = q8.forward([new GPT2Tokenizer().encodeTurns([PROMPT])], { lastOnly: true })
    expectedQ8Logits = (await q8Out.logits.data()) as Float32Array
    tf.dispose([q8Out.logits, ...q8Out.cache.layers.flatMap((l) => [l.key, l.value])])
    q8.dispose()
    mkdirSync(artifacts, { recursive: true })
  })

  afterAll(() => closeServer?.())

  async function open(backend: string, max = MAX, dtype = '') {
    const { context, page } = await openChromium()
    await page.goto(`${base}/index.html?model=${encodeURIComponent(`${base}/models/gpt2-tiny/`)}&backend=${backend}&max=${max}${dtype ? `&dtype=${dtype}` : ''}`)
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
    const state = () => page.evaluate(() => (window as unknown as { dialogptDemo: { lastIds: number[]; lastText: string; backend: string; dtype: string; loadedFromCache: boolean; status: string; promptLogits: number[] } }).dialogptDemo)
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
      expect(maxAbsDiff(s.promptLogits, expectedLogits)).toBeLessThan(1e-4)
      if (backend === 'wasm') await b.page.screenshot({ path: join(artifacts, 'web-chat.png') })
    } finally {
      await b.context.close()
    }
  })

  it.runIf(run)('holds the matrices as q8 when the model picker says so, with the WebAssembly SIMD kernels giving Node\'s q8 ids and logits within 1e-4', async () => {
    const b = await open('wasm', MAX, 'q8')
    try {
      await b.load()
      await b.send(PROMPT)
      await b.finished()
      const s = await b.state()
      expect(s.status).toBe('done')
      expect(s.dtype).toBe('q8')
      expect(s.lastIds).toEqual(expectedQ8)
      expect(maxAbsDiff(s.promptLogits, expectedQ8Logits)).toBeLessThan(1e-4)
      // Not the fp32 model's logits: the page really multiplied 8-bit weights.
      expect(s.promptLogits.some((x, i) => x !== expectedLogits[i])).toBe(true)
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

  it.runIf(run)('keeps a 10-turn chat inside a 64-position model by cutting whole turns, recovers from an error mid-way, and offers sampling and beam search', async () => {
    const b = await open('wasm')
    const pageErrors: string[] = []
    b.page.on('pageerror', (e) => pageErrors.push(e.message))
    try {
      await b.load()
      const held: number[] = []
      for (let turn = 1; turn <= 10; turn++) {
        if (turn === 4) {
          // A setting the decoder refuses: the turn fails with a message, and the page goes on.
          await b.page.selectOption('#decoding', 'beam')
          await b.page.fill('#beams', '0')
        }
        if (turn === 5) await b.page.fill('#beams', '3')
        if (turn === 6) await b.page.selectOption('#decoding', 'sample')
        if (turn === 8) await b.page.selectOption('#decoding', 'greedy')
        await b.send(`Turn ${turn}: how are you today, my friend?`)
        await b.finished()
        const s = await b.page.evaluate(() => (window as unknown as { dialogptDemo: { status: string; promptTurns: number } }).dialogptDemo)
        if (turn === 4) expect(s.status).toMatch(/^error: numBeams must be an integer >= 1/)
        else expect(s.status, `turn ${turn}`).toBe('done')
        held.push(s.promptTurns)
        expect(await b.page.isEnabled('#send')).toBe(true)
      }
      // 64 positions hold a few turns: later prompts keep only the newest whole turns.
      expect(Math.max(...held)).toBeLessThan(2 * 10 - 1)
      expect(held[9]).toBeGreaterThanOrEqual(1)
      expect(pageErrors).toEqual([])
      await b.page.screenshot({ path: join(artifacts, 'web-chat-10-turns.png'), fullPage: true })
    } finally {
      await b.context.close()
    }
  })
})

describeShared('web chat demo on the Vite dev server (pnpm web-chat)', ['fixtures', 'gpt2-tiny'], () => {
  it.runIf(run)('starts the wasm backend and chats: the same greedy ids as the built page', async () => {
    const { createServer } = await import('vite')
    const models = await serveFiles((path) => (path.startsWith('/models/gpt2-tiny/') ? { file: sharedPath('fixtures', 'gpt2-tiny', path.slice('/models/gpt2-tiny/'.length)), allowedRoot: sharedPath('fixtures') } : null), { 'access-control-allow-origin': '*' })
    const vite = await createServer({ configFile: join(root, 'examples', 'web-chat', 'vite.config.ts'), server: { host: '127.0.0.1', port: 0 }, logLevel: 'warn' })
    await vite.listen()
    const { context, page } = await openChromium()
    try {
      await page.goto(`${vite.resolvedUrls!.local[0]}index.html?model=${encodeURIComponent(`${models.base}/models/gpt2-tiny/`)}&backend=wasm&max=${MAX}`)
      await page.click('#load')
      const status = () => page.evaluate(() => (window as unknown as { dialogptDemo: { status: string } }).dialogptDemo.status)
      await page.waitForFunction(() => /^(ready|error)/.test((window as unknown as { dialogptDemo: { status: string } }).dialogptDemo.status), null, { timeout: 0 })
      expect(await status()).toMatch(/^ready/)
      await page.fill('#prompt', PROMPT)
      await page.click('#send')
      await page.waitForFunction(() => /^(done|stopped|error)/.test((window as unknown as { dialogptDemo: { status: string } }).dialogptDemo.status), null, { timeout: 0 })
      expect(await status()).toBe('done')
      const ids = await page.evaluate(() => (window as unknown as { dialogptDemo: { lastIds: number[] } }).dialogptDemo.lastIds)
      const { loadGPT2, causalLM, GPT2Tokenizer } = await import('@dialogpt/core')
      await import('@dialogpt/core/node')
      const { generate } = await import('@dialogpt/decode')
      const model = await loadGPT2(sharedPath('fixtures', 'gpt2-tiny'))
      expect(ids).toEqual((await generate(causalLM(model), new GPT2Tokenizer().encodeTurns([PROMPT]), { maxNewTokens: MAX }))[0]![0]!.ids)
      model.dispose()
    } finally {
      await context.close()
      await vite.close()
      await models.close()
    }
  })
})
