// DialoGPT-medium-shaped checkpoint and resume (random weights, 1 × 8 tokens per step): a straight
// run of 2 steps, and a run stopped after step 1 and resumed in a new process for step 2; the two
// final models must be bit-identical. Each run is its own process (bench/medium-resume-child.ts).
// Training medium does not fit tfjs-wasm's 4 GiB heap (the Trainer refuses it there: ModelTooLargeError),
// so this runs on the cpu backend; the moments live in host memory either way. ~10 minutes here.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gpt2Config } from '@dialogpt/core'
import { checkTrainingFits } from '@dialogpt/core/wasm-kernels'
import { benchDir, printTable, round, writeResult } from './lib'

export const name = 'medium-resume'

interface ChildResult {
  reason: string
  step: number
  resumedFrom: string | null
  buildMs: number
  stepMs: number[]
  checkpointMs: number[]
  rssMiB: number
  parameters: number
}

function child(dir: string, steps: number, mode: 'fresh' | 'resume', stop?: number): ChildResult {
  const args = ['--conditions=@dialogpt/source', '--import', 'tsx', join(benchDir, 'medium-resume-child.ts'), dir, String(steps), mode, ...(stop === undefined ? [] : [String(stop)])]
  const started = performance.now()
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, BENCH_BACKEND: 'cpu' } })
  const last = run.stdout.trim().split('\n').pop() ?? ''
  if (run.status !== 0 || !last.startsWith('{')) throw new Error(`medium-resume child failed (exit ${run.status}): ${run.stderr.slice(-2000)}`)
  return { ...(JSON.parse(last) as ChildResult), wallMs: performance.now() - started } as ChildResult
}

export async function run(): Promise<Record<string, unknown>> {
  let wasmRefusal = ''
  try {
    checkTrainingFits(gpt2Config('medium'))
  } catch (error) {
    wasmRefusal = (error as Error).message
  }
  const straightDir = mkdtempSync(join(tmpdir(), 'dialogpt-medium-straight-'))
  const resumedDir = mkdtempSync(join(tmpdir(), 'dialogpt-medium-resumed-'))
  try {
    const straight = child(straightDir, 2, 'fresh')
    const first = child(resumedDir, 2, 'fresh', 1)
    const resumed = child(resumedDir, 2, 'resume')
    const final = (dir: string) => join(dir, 'checkpoints', 'step-00000002')
    // The files are over 2 GiB (the moments): compared by SHA-256, read as streams.
    const sha = (path: string) => new Promise<string>((done, fail) => {
      const h = createHash('sha256')
      createReadStream(path).on('data', (d) => h.update(d)).on('end', () => done(h.digest('hex'))).on('error', fail)
    })
    const same = async (file: string) => (await sha(join(final(straightDir), file))) === (await sha(join(final(resumedDir), file)))
    const identical = { weights: await same('model.safetensors'), optimizer: await same('optimizer.safetensors') }
    const sizes = { modelMiB: round(statSync(join(final(straightDir), 'model.safetensors')).size / 2 ** 20, 0), optimizerMiB: round(statSync(join(final(straightDir), 'optimizer.safetensors')).size / 2 ** 20, 0) }
    printTable('DialoGPT-medium shape (355M), cpu backend, 1 x 8 tokens per step, a checkpoint every step', [
      { run: 'straight, steps 1-2', 'build ms': round(straight.buildMs, 0), 'step ms': straight.stepMs.map((m) => round(m, 0)).join(' / '), 'checkpoint ms': straight.checkpointMs.map((m) => round(m, 0)).join(' / '), 'RSS MiB': straight.rssMiB },
      { run: 'stopped after step 1', 'build ms': round(first.buildMs, 0), 'step ms': first.stepMs.map((m) => round(m, 0)).join(' / '), 'checkpoint ms': first.checkpointMs.map((m) => round(m, 0)).join(' / '), 'RSS MiB': first.rssMiB },
      { run: 'resumed, step 2', 'build ms': round(resumed.buildMs, 0), 'step ms': resumed.stepMs.map((m) => round(m, 0)).join(' / '), 'checkpoint ms': resumed.checkpointMs.map((m) => round(m, 0)).join(' / '), 'RSS MiB': resumed.rssMiB },
    ])
    console.log(`checkpoint files: model.safetensors ${sizes.modelMiB} MiB, optimizer.safetensors ${sizes.optimizerMiB} MiB`)
    console.log(`step 2 after a resume equals the straight run: weights ${identical.weights}, optimizer moments ${identical.optimizer}`)
    const result = {
      model: 'DialoGPT-medium shape (24 x 1024, 355M), random weights, seed 1',
      backend: 'cpu',
      optimizerState: 'host (Float32Arrays in JavaScript memory: 2 x 1.32 GiB)',
      wasm: wasmRefusal ? `refused before allocating: ${wasmRefusal}` : 'fits',
      straight,
      stoppedAfterStep1: first,
      resumed,
      resumedFrom: resumed.resumedFrom,
      checkpointFiles: sizes,
      bitIdentical: identical,
    }
    console.log(`wrote ${writeResult(name, result)}`)
    if (!identical.weights || !identical.optimizer) throw new Error('the resumed medium run differs from the straight one')
    return result
  } finally {
    rmSync(straightDir, { recursive: true, force: true })
    rmSync(resumedDir, { recursive: true, force: true })
  }
}
