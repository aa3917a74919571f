// Decode tokens/s at the 124M shape (random weights) in headless Chromium for each browser backend
// here: wasm with one thread and with two (the threaded SIMD build needs a cross-origin-isolated
// page, so the server sends COOP/COEP headers); with BENCH_BROWSER_GPU=1 also WebGL and WebGPU
// (both on SwiftShader, software only, so 5 tokens after a short prompt). Ratios are against wasm with one thread, run in
// the same benchmark. Needs Debian's chromium; skips with a notice without it.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { buildPage, chromiumPath, openChromium, pageFile, serveFiles } from '../test/chromium'
import { benchDir, printTable, round, summarize, writeResult } from './lib'

export const name = 'browser-decode'

interface PageResult {
  backend: string
  threads: number | null
  crossOriginIsolated: boolean
  prefillMs: number
  stepMs: number[]
  error?: string
}

export async function run(): Promise<Record<string, unknown> | undefined> {
  if (!existsSync(chromiumPath)) {
    console.warn(`[skip] browser-decode benchmark: ${chromiumPath} is absent (apt install chromium)`)
    return undefined
  }
  const out = await buildPage(join(benchDir, 'browser', 'vite.config.ts'), 'dialogpt-bench-page-')
  // cross-origin-isolated, so the threaded wasm build may load
  const server = await serveFiles((path) => pageFile(out, path), { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' })
  const base = server.base
  const configs = [
    { what: 'wasm, 1 thread', query: 'backend=wasm&threads=1&tokens=16&prompt=64' },
    { what: 'wasm, 2 threads', query: 'backend=wasm&threads=2&tokens=16&prompt=64' },
    // Software rendering only here (35-130x slower than wasm): opt in with BENCH_BROWSER_GPU=1.
    ...(process.env.BENCH_BROWSER_GPU === '1'
      ? [
          { what: 'webgl (SwiftShader)', query: 'backend=webgl&tokens=5&prompt=8' },
          { what: 'webgpu (SwiftShader)', query: 'backend=webgpu&tokens=5&prompt=8' },
        ]
      : []),
  ]
  const only = process.env.BENCH_BROWSER_ONLY
  if (only) configs.splice(0, configs.length, ...configs.filter((c) => c.query.includes(`backend=${only}`)))
  const results: Record<string, PageResult & { medianStepMs?: number; tokensPerSecond?: number }> = {}
  try {
    for (const c of configs) {
      console.log(`running: ${c.what}`)
      const { context, page } = await openChromium()
      try {
        const consoleLines: string[] = []
        page.on('console', (m) => void consoleLines.push(`${m.type()}: ${m.text()}`))
        page.on('pageerror', (e) => void consoleLines.push(`pageerror: ${e.message}`))
        await page.goto(`${base}/index.html?${c.query}`)
        await page.waitForFunction(() => (window as unknown as { benchResult?: unknown }).benchResult !== undefined, null, { timeout: 300_000 })
        const r = (await page.evaluate(() => (window as unknown as { benchResult: unknown }).benchResult)) as PageResult
        if (process.env.BENCH_BROWSER_CONSOLE) console.log(consoleLines.join('\n'))
        if (r.error) results[c.what] = r
        else {
          const m = summarize(r.stepMs).medianMs
          results[c.what] = { ...r, prefillMs: round(r.prefillMs), stepMs: r.stepMs.map((x) => round(x)), medianStepMs: m, tokensPerSecond: round(1000 / m) }
        }
      } finally {
        await context.close()
      }
    }
  } finally {
    await server.close()
  }
  const baseline = results['wasm, 1 thread']?.tokensPerSecond
  printTable(
    'greedy decode in headless Chromium, GPT-2 124M shape, random weights (median over the steps; ratio vs wasm with 1 thread)',
    Object.entries(results).map(([what, r]) => ({
      what,
      threads: r.threads ?? '-',
      'prefill ms': r.error ? '-' : r.prefillMs,
      'step ms (median)': r.medianStepMs ?? '-',
      steps: r.stepMs?.length ?? 0,
      'tokens/s': r.tokensPerSecond ?? `error: ${r.error}`,
      'vs wasm 1 thread': baseline && r.tokensPerSecond ? round(r.tokensPerSecond / baseline, 3) : '-',
    })),
  )
  const result = { model: 'GPT-2 124M shape (12 x 768), random weights', browser: 'Debian chromium, headless', results }
  console.log(`wrote ${writeResult(name, result)}`)
  return result
}
