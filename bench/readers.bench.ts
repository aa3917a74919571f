// Checkpoint readers on generated hostile files: the slowest case and the largest memory growth of
// 2,000 cases per reader (the same generator as the readers' fuzz test, which checks outcomes and
// bounds work deterministically; time and memory are measured here, never in a test).
// Target (#15): no case over 2 s or 256 MB.
import { readStateDict } from '../packages/core/src/checkpoint/read-state-dict'
import { reconcileConfig } from '../packages/core/src/model/config'
import { safetensorsCase, safetensorsFile, seeded, torchCase, type CheckpointCase } from '../packages/core/src/testing/checkpoint-cases'
import { PyOrderedDict, TorchTensor } from '../packages/core/src/checkpoint/pickle-writer'
import { MemorySink, writeTorchZip } from '../packages/core/src/checkpoint/torch-writer'
import { printTable, round, writeResult } from './lib'

async function reportedAttacks(): Promise<{ what: string; bytes: Uint8Array }[]> {
  const depth = 49_000_000
  const nested = safetensorsFile(`{"__metadata__":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`)
  const entries: string[] = []
  for (let i = 0; i < 1_500_000; i++) entries.push(`"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`)
  const many = safetensorsFile(`{${entries.join(',')}}`)
  const dict = new PyOrderedDict()
  dict.entries.set('transformer.wpe.weight', new TorchTensor({ dtype: 'float32', numel: 4, bytes: new Uint8Array(16) }, 0, [1e9], [0]))
  const sink = new MemorySink()
  await writeTorchZip(dict, sink)
  const index = safetensorsFile(
    JSON.stringify({
      'transformer.wte.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      'transformer.wpe.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [16, 32] },
      'transformer.h.999999999.ln_1.weight': { dtype: 'F32', shape: [2], data_offsets: [32, 40] },
    }),
    new Uint8Array(40),
  )
  return [
    { what: '98 MB header of nested [ in __metadata__', bytes: nested },
    { what: '92 MB header, 1.5M zero-size tensors', bytes: many },
    { what: 'zip: size (1e9,) stride 0 over 4 elements', bytes: sink.bytes() },
    { what: 'transformer.h.999999999.ln_1.weight', bytes: index },
  ]
}

export const name = 'readers'

const CASES = 2000

function memory(): number {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

export async function run() {
  const results: Record<string, unknown> = {}
  const rows: Record<string, string | number>[] = []
  const readers: [string, (r: () => number) => CheckpointCase | Promise<CheckpointCase>][] = [
    ['safetensors', safetensorsCase],
    ['torch-zip', (r) => torchCase(r, false)],
    ['torch-legacy', (r) => torchCase(r, true)],
  ]
  for (const [reader, generate] of readers) {
    const random = seeded(0xbe7c + reader.length)
    let worstMs = 0
    let worstMsKind = ''
    let worstBytes = 0
    let worstBytesKind = ''
    let largestInput = 0
    for (let i = 0; i < CASES; i++) {
      const c = await generate(random)
      largestInput = Math.max(largestInput, c.bytes.length)
      globalThis.gc?.()
      const before = memory()
      let peak = before
      const t = performance.now()
      try {
        const dict = readStateDict(c.bytes)
        peak = Math.max(peak, memory())
        reconcileConfig(dict)
      } catch {
        // typed errors are the expected outcome for most hostile cases (the fuzz test checks their types)
      }
      const ms = performance.now() - t
      peak = Math.max(peak, memory())
      if (ms > worstMs) [worstMs, worstMsKind] = [ms, c.kind]
      if (peak - before > worstBytes) [worstBytes, worstBytesKind] = [peak - before, c.kind]
    }
    const r = { cases: CASES, slowestMs: round(worstMs), slowestKind: worstMsKind, largestGrowthMiB: round(worstBytes / 2 ** 20), largestGrowthKind: worstBytesKind, largestInputMiB: round(largestInput / 2 ** 20) }
    results[reader] = r
    rows.push({ reader, ...r })
  }
  // The exact files of the hostile-input report (#15), each read once.
  const reported = await reportedAttacks()
  const attackRows = reported.map(({ what, bytes }) => {
    globalThis.gc?.()
    const before = memory()
    const t = performance.now()
    let outcome = 'read'
    try {
      reconcileConfig(readStateDict(bytes))
    } catch (error) {
      outcome = `${(error as Error).name}: ${(error as Error).message.slice(0, 60)}`
    }
    return { attack: what, inputMiB: round(bytes.length / 2 ** 20), ms: round(performance.now() - t), growthMiB: round((memory() - before) / 2 ** 20), outcome }
  })
  results.reported = attackRows
  printTable('Checkpoint readers, 2,000 generated cases each (target: every case <= 2 s and <= 256 MB)', rows)
  printTable('The reported attacks (before the fix: 41-81 s and 2-4.9 GB each)', attackRows)
  writeResult(name, { note: 'memory growth: heapUsed + arrayBuffers after the read minus before it (run with --expose-gc for a clean baseline)', results })
  return results
}
