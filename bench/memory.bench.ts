// Resident memory while chatting with the 124M shape on wasm (random weights, loaded from a local
// safetensors folder): each case runs in a fresh Node process, loads the model, collects garbage
// once (the file's bytes), chats four turns of 20 new tokens and samples its RSS every 10 ms.
// Cases: the default (cached transposed head) and, as the baseline, without the head cache.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gpt2Config, writeSafetensors } from '@dialogpt/core'
import { benchDir, printTable, round, writeResult } from './lib'
import { randomWeights } from './random-weights'

export const name = 'memory'

interface ChildReport {
  headCache: boolean
  weightBytes: number
  atStart: number
  afterLoad: number
  peakWhileChatting: number
  afterEachTurn: number[]
  wasmHeapBytes: number
  wasmHeapAfterLoad: number
  maxRss: number
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'dialogpt-memory-bench-'))
  try {
    const config = gpt2Config('small')
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config))
    writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(randomWeights(config)))
    const results: Record<string, ChildReport & { peakOverWeights: number }> = {}
    for (const headCache of ['on', 'off']) {
      console.log(`running: chat in a fresh process, head cache ${headCache}`)
      const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, join(benchDir, 'memory-child.ts'), dir, headCache], { encoding: 'utf8', maxBuffer: 1 << 24 })
      const last = child.stdout.trim().split('\n').pop() ?? ''
      if (child.status !== 0 || !last.startsWith('{')) throw new Error(`memory child failed (exit ${child.status}): ${child.stderr.slice(-2000)}`)
      const report = JSON.parse(last) as ChildReport
      results[`head cache ${headCache}`] = { ...report, peakOverWeights: round(report.peakWhileChatting / report.weightBytes) }
    }
    const mib = (b: number) => round(b / 2 ** 20, 0)
    printTable(
      'resident memory while chatting, GPT-2 124M shape on wasm (fp32 weights 475 MiB); the first forward adds XNNPACK packed copies',
      Object.entries(results).map(([what, r]) => ({
        what,
        'RSS at start MiB': mib(r.atStart),
        'after load MiB': mib(r.afterLoad),
        'heap after load MiB': mib(r.wasmHeapAfterLoad),
        'peak chatting MiB': mib(r.peakWhileChatting),
        'heap chatting MiB': mib(r.wasmHeapBytes),
        'after load / weights': round(r.afterLoad / r.weightBytes),
        'peak / weights': r.peakOverWeights,
      })),
    )
    const on = results['head cache on']!
    const off = results['head cache off']!
    console.log(`the head cache costs ${mib(on.peakWhileChatting - off.peakWhileChatting)} MiB of RSS (${round(on.peakWhileChatting / off.peakWhileChatting)}x the baseline without it)`)
    const result = { model: 'GPT-2 124M shape (12 x 768), random weights, loaded from local safetensors', backend: 'wasm', results }
    console.log(`wrote ${writeResult(name, result)}`)
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
