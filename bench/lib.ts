import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem, type } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const benchDir = dirname(fileURLToPath(import.meta.url))
export const sharedDir = resolve(benchDir, '..', '..', 'shared')

/** What the numbers were measured on. */
export function machine() {
  const cpu = cpus()
  return { os: type(), cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version }
}

export interface Timing {
  runs: number
  medianMs: number
  minMs: number
  maxMs: number
}

/** Median, min and max (ms, rounded) of measured times. */
export function summarize(times: readonly number[]): Timing {
  const t = [...times].sort((a, b) => a - b)
  const mid = t.length >> 1
  const medianMs = t.length % 2 ? t[mid]! : (t[mid - 1]! + t[mid]!) / 2
  return { runs: t.length, medianMs: round(medianMs), minMs: round(t[0]!), maxMs: round(t[t.length - 1]!) }
}

/** Starts sampling resident memory every `intervalMs`; the function returned stops and gives the peak in bytes. */
export function peakRssSampler(intervalMs = 50): () => number {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), intervalMs)
  return () => {
    clearInterval(timer)
    return Math.max(peak, process.memoryUsage().rss)
  }
}

/** Runs `fn` `runs` times (after `warmup` unmeasured runs) and reports median, min and max in ms. */
export async function measure(fn: () => unknown | Promise<unknown>, runs = 5, warmup = 0): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    times.push(performance.now() - t)
  }
  return summarize(times)
}

export const round = (x: number, digits = 2) => Number(x.toFixed(digits))

/** Writes `bench/results/<name>.json` with the machine description. */
export function writeResult(name: string, result: Record<string, unknown>): string {
  const dir = join(benchDir, 'results')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${name}.json`)
  writeFileSync(path, `${JSON.stringify({ benchmark: name, date: new Date().toISOString(), machine: machine(), ...result }, null, 2)}\n`)
  return path
}

/** Prints rows as an aligned table. */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return
  const headers = Object.keys(rows[0]!)
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h]).length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  console.log(`\n${title}\n${line(headers)}\n${line(widths.map((w) => '-'.repeat(w)))}`)
  for (const r of rows) console.log(line(headers.map((h) => String(r[h]))))
}
