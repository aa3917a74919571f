// What the browser tests and the browser benchmark share: building a page with Vite, serving files
// on 127.0.0.1, and a headless Chromium (Debian's) that can reach nothing else.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Builds the Vite project of `configFile` into a fresh temporary directory and returns it. */
export async function buildPage(configFile: string, prefix: string): Promise<string> {
  const { build } = await import('vite')
  const out = mkdtempSync(join(tmpdir(), prefix))
  await build({ configFile, build: { outDir: out, emptyOutDir: true }, logLevel: 'warn' })
  return out
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' }

/**
 * Serves files on 127.0.0.1: `resolve` maps a request path to a file inside `root`-like allowed
 * directories (or null for 404). Returns the base URL and a close function.
 */
export async function serveFiles(resolve: (path: string) => { file: string; allowedRoot: string } | null, headers: Record<string, string> = {}): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const target = resolve(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
    if (!target || !target.file.startsWith(target.allowedRoot) || !existsSync(target.file)) {
      res.writeHead(404, headers)
      res.end()
      return
    }
    const body = readFileSync(target.file)
    res.writeHead(200, { 'content-type': TYPES[extname(target.file)] ?? 'application/octet-stream', 'content-length': String(body.length), ...headers })
    res.end(body)
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((done) => server.close(() => done())) }
}

/** Serves the files of a built page directory (`/` is `index.html`). */
export function pageFile(out: string, path: string): { file: string; allowedRoot: string } {
  return { file: join(out, path === '/' ? 'index.html' : path), allowedRoot: out }
}

/** A fresh headless Chromium (new user-data-dir) whose only reachable host is 127.0.0.1, and its page. */
export async function openChromium(): Promise<{ context: BrowserContext; page: Page }> {
  const { chromium } = await import('playwright-core')
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'dialogpt-chromium-')), {
    executablePath: chromiumPath,
    headless: true,
    timeout: 0, // no launch deadline: outcomes must not depend on the machine's speed
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-unsafe-webgpu', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
  })
  await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()))
  context.setDefaultTimeout(0) // nor on page actions (Playwright's default is 30 s)
  return { context, page: context.pages()[0] ?? (await context.newPage()) }
}
