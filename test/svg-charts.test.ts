import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runEvalCli } from '@dialogpt/metrics/node'
import { chromiumPath, openChromium, serveFiles } from './chromium'
import { describeShared, sharedPath } from './shared'

/**
 * The charts of `dialogpt-eval human` and `dialogpt-eval correlate` on the DSTC-7 release, rendered
 * by headless Chromium from a server on 127.0.0.1: each SVG must decode as an image of its declared
 * size and draw its marks. Screenshots go to test/artifacts/.
 */
const root = resolve(__dirname, '..')
const isCI = /^(1|true|yes)$/i.test(process.env.CI ?? '')
const artifacts = join(root, 'test', 'artifacts')
const run = existsSync(chromiumPath) || isCI
if (!run) console.warn(`[skip] SVG chart rendering: ${chromiumPath} is absent (apt install chromium); it fails under CI=true`)

describeShared('dialogpt-eval charts in Chromium', ['data', 'dstc7-task2-human-eval'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'dialogpt-charts-'))
  let base = ''
  let close: (() => Promise<void>) | undefined

  beforeAll(async () => {
    if (!run) return
    if (!existsSync(chromiumPath)) throw new Error(`CI=true but ${chromiumPath} is missing (apt install chromium)`)
    const d = sharedPath('data', 'dstc7-task2-human-eval')
    const quiet = { stdout: () => {}, stderr: (t: string) => expect.fail(t) }
    expect(await runEvalCli(['human', '--likert', join(d, 'dstc7-task2-human-eval-per-judge.tsv'), '--iterations', '1000', '--svg', join(dir, 'ranking.svg')], quiet)).toBe(0)
    expect(await runEvalCli(['correlate', '--dstc7', d, '--meteor-modules', 'none', '--no-segments', '--iterations', '200', '--svg', join(dir, 'correlate.svg')], quiet)).toBe(0)
    writeFileSync(join(dir, 'index.html'), '<!doctype html><body style="margin:0;background:#fff"></body>')
    const server = await serveFiles((path) => ({ file: join(dir, path === '/' ? 'index.html' : path.slice(1)), allowedRoot: dir }))
    base = server.base
    close = server.close
    mkdirSync(artifacts, { recursive: true })
  })

  afterAll(() => close?.())

  it.each(['ranking.svg', 'correlate.svg'])('%s decodes at its declared size and draws its marks', async (name) => {
    if (!run) return
    const svg = readFileSync(join(dir, name), 'utf8')
    const [, width, height] = /width="(\d+)" height="(\d+)"/.exec(svg)!
    const { context, page } = await openChromium()
    try {
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      await page.goto(`${base}/`)
      // As an image: the browser's SVG parser accepts the file (a malformed one fails to decode).
      const size = await page.evaluate(async (src) => {
        const img = new Image()
        img.src = src
        await img.decode()
        return [img.naturalWidth, img.naturalHeight]
      }, `${base}/${name}`)
      expect(size).toEqual([Number(width), Number(height)])
      // Inline: every circle is laid out inside the drawing.
      await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`)
      const circles = await page.$$eval('circle', (cs) => cs.map((c) => c.getBoundingClientRect()).map((r) => [r.x, r.y, r.width]))
      expect(circles.length).toBe((svg.match(/<circle /g) ?? []).length)
      for (const [x, y, w] of circles) {
        expect(w).toBeGreaterThan(0)
        expect(x).toBeGreaterThanOrEqual(0)
        expect(x).toBeLessThanOrEqual(Number(width))
        expect(y).toBeGreaterThanOrEqual(0)
        expect(y).toBeLessThanOrEqual(Number(height))
      }
      await page.setViewportSize({ width: Number(width), height: Number(height) })
      await page.screenshot({ path: join(artifacts, name.replace('.svg', '.png')) })
      expect(errors).toEqual([])
    } finally {
      await context.close()
    }
  })
})
