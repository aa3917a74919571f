import * as tf from '@tensorflow/tfjs-core'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { gpt2Config } from '../model/config'
import { GPT2 } from '../model/gpt2'
import { microExamples } from '../testing/micro-data'
import { useBackend } from '../testing/tiny'
import { loadGPT2 } from '../pretrained/load-gpt2'
import { ResumeError, Trainer, TrainingDivergedError, type TrainerOptions } from './trainer'
import { listTrainerCheckpoints, readTrainerCheckpoint } from './trainer-checkpoint'
import { CheckpointError } from '../checkpoint/errors'

const backend = process.env.TFJS_BACKEND ?? 'cpu'
const scratch = () => mkdtempSync(join(tmpdir(), 'dialogpt-trainer-'))
const base = (over: Partial<TrainerOptions> = {}): TrainerOptions => ({ train: microExamples(60), learningRate: 2e-3, schedule: 'constant', batchSize: 4, ...over })

/** A micro model trained `steps` steps into a fresh directory. */
async function trainedInto(seed: number, over: Partial<TrainerOptions>, steps: number): Promise<{ dir: string; model: GPT2; trainer: Trainer }> {
  const dir = scratch()
  const model = GPT2.random(gpt2Config('micro'), seed)
  const trainer = new Trainer(model, base({ outputDir: dir, ...over }))
  await trainer.fit({ steps })
  return { dir, model, trainer }
}

/** The log's entries of one type as the README says to read them: a later entry of a step (after a resume) supersedes an earlier one; a line a crash cut is skipped. */
function logEntries(dir: string, type: string): Record<string, number>[] {
  const byStep = new Map<number, Record<string, number>>()
  for (const line of readFileSync(join(dir, 'train-log.jsonl'), 'utf8').split('\n')) {
    let e: Record<string, number> & { type: string }
    try {
      e = JSON.parse(line) as Record<string, number> & { type: string }
    } catch {
      continue // empty, or a line cut by a crash
    }
    if ((e as unknown as { type: string }).type === type) byStep.set(e.step!, e)
  }
  return [...byStep.values()].sort((a, b) => a.step! - b.step!)
}

describe(`Trainer (${backend})`, () => {
  beforeAll(() => useBackend(backend))

  it('lowers the training loss, and tf.memory().numTensors is flat across 100 steps', async () => {
    const model = GPT2.random(gpt2Config('micro'), 1)
    const counts: number[] = []
    const losses: number[] = []
    const trainer = new Trainer(model, base({ callbacks: { onStep: (e) => void (counts.push(tf.memory().numTensors), losses.push(e.loss)) } }))
    const before = tf.memory().numTensors
    const result = await trainer.fit({ steps: 100 })
    expect(result).toMatchObject({ step: 100, reason: 'steps' })
    expect(new Set(counts.slice(1)).size).toBe(1) // after the first step created the moments
    trainer.dispose()
    expect(tf.memory().numTensors).toBe(before)
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)) - 0.7)
    model.dispose()
  })

  it('stops early when the validation loss stops improving', async () => {
    // validation asks for the opposite mapping to training's: it gets worse as training proceeds
    const train = microExamples(40)
    const valid = microExamples(10).map((e) => ({ inputIds: e.inputIds, labels: e.labels.map((y) => (y === -1 || y === 511 ? y : (y + 37) % 500)) }))
    const model = GPT2.random(gpt2Config('micro'), 2)
    const evaluations: boolean[] = []
    const trainer = new Trainer(model, base({ train, valid, evaluateEvery: 2, patience: 2, learningRate: 5e-3, callbacks: { onEvaluate: (e) => void evaluations.push(e.improved) } }))
    const result = await trainer.fit({ steps: 200 })
    expect(result.reason).toBe('early-stopping')
    expect(result.step).toBeLessThan(200)
    expect(evaluations.slice(-2)).toEqual([false, false])
    trainer.dispose()
    model.dispose()
  })

  it('reports validation loss and perplexity as the original does', async () => {
    const model = GPT2.random(gpt2Config('micro'), 2)
    const valid = microExamples(7, 3)
    const trainer = new Trainer(model, base({ valid, batchSize: 3 }))
    const e = await trainer.evaluate()
    // the original: per batch, loss = token mean and ppl = exp(mean of per-example means); both averaged over batches weighted by rows
    let lossSum = 0
    let pplSum = 0
    let rows = 0
    for (let b = 0; b < trainer['validBatcher']!.batchesIn(0); b++) {
      const batch = await trainer['validBatcher']!.batchAt({ epoch: 0, batch: b })
      const logits = model.forward(batch.inputIds)
      const logp = tf.logSoftmax(logits.logits).arraySync() as number[][][]
      tf.dispose([logits.logits, ...logits.cache.layers.flatMap((l) => [l.key, l.value])])
      let total = 0
      let count = 0
      const means: number[] = []
      batch.labels.forEach((row, i) => {
        let s = 0
        let n = 0
        row.forEach((y, t) => {
          if (y !== -1) {
            s -= logp[i]![t]![y]!
            n++
          }
        })
        total += s
        count += n
        means.push(s / n)
      })
      lossSum += (total / count) * batch.inputIds.length
      pplSum += Math.exp(means.reduce((a, b) => a + b, 0) / means.length) * batch.inputIds.length
      rows += batch.inputIds.length
    }
    expect(e.loss).toBeCloseTo(lossSum / rows, 4)
    expect(e.ppl).toBeCloseTo(pplSum / rows, 2)
    trainer.dispose()
    model.dispose()
  })

  it('a NaN loss stops training with a clear error and keeps the last good checkpoint', async () => {
    const dir = scratch()
    const model = GPT2.random(gpt2Config('micro'), 4)
    // an example with no labelled token: its batch's loss is 0/0
    const train = [...microExamples(8), { inputIds: [5, 6, 7], labels: [-1, -1, -1] }]
    const trainer = new Trainer(model, base({ train, batchSize: 1, outputDir: dir, checkpointEvery: 1 }))
    const error = await trainer.fit({ steps: 50 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TrainingDivergedError)
    const { step, lastCheckpoint } = error as TrainingDivergedError
    expect((error as Error).message).toMatch(/the loss is NaN/)
    expect(lastCheckpoint).toBe(join(dir, 'checkpoints', `step-${String(step).padStart(8, '0')}`))
    expect((await readTrainerCheckpoint(lastCheckpoint!)).state.step).toBe(step)
    trainer.dispose()
    model.dispose()
  })

  it('keeps the last K checkpoints, each written atomically and loadable as a model', async () => {
    const { dir, model, trainer } = await trainedInto(5, { checkpointEvery: 2, keepCheckpoints: 2 }, 9)
    expect((await listTrainerCheckpoints(join(dir, 'checkpoints'))).map((c) => c.step)).toEqual([9, 8])
    expect(readdirSync(join(dir, 'checkpoints')).filter((n) => n.includes('.tmp'))).toEqual([])
    const loaded = await loadGPT2(join(dir, 'checkpoints', 'step-00000009'))
    const a = await loaded.weights()
    const b = await model.weights()
    for (const [name, w] of b) expect(a.get(name)!.data).toEqual(w.data)
    loaded.dispose()
    trainer.dispose()
    model.dispose()
  })

  it('refuses to resume past a corrupt or partial checkpoint: the error names each one and why, and nothing is overwritten', async () => {
    const { dir, model, trainer } = await trainedInto(6, { checkpointEvery: 2, keepCheckpoints: 3 }, 6)
    trainer.dispose()
    model.dispose()
    const ckpts = join(dir, 'checkpoints')
    const weights = join(ckpts, 'step-00000006', 'model.safetensors')
    const bytes = readFileSync(weights)
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 1
    writeFileSync(weights, bytes)
    await expect(readTrainerCheckpoint(join(ckpts, 'step-00000006'))).rejects.toThrow(CheckpointError)
    await expect(readTrainerCheckpoint(join(ckpts, 'step-00000006'))).rejects.toThrow(/step-00000006\/model\.safetensors: SHA-256 differs/)
    rmSync(join(ckpts, 'step-00000004', 'trainer-state.json'))
    await expect(readTrainerCheckpoint(join(ckpts, 'step-00000004'))).rejects.toThrow(/trainer-state\.json: missing/)
    const log = readFileSync(join(dir, 'train-log.jsonl'), 'utf8')
    const again = new Trainer(GPT2.random(gpt2Config('micro'), 6), base({ outputDir: dir, checkpointEvery: 2 }))
    const error = (await again.fit({ steps: 6, resume: true }).catch((e: unknown) => e)) as ResumeError
    expect(error).toBeInstanceOf(ResumeError)
    expect(error.unreadable.map((u) => u.dir)).toEqual([join(ckpts, 'step-00000006'), join(ckpts, 'step-00000004')])
    expect(error.message).toMatch(/step-00000006: .*model\.safetensors: SHA-256 differs/)
    expect(error.message).toMatch(/step-00000004: .*trainer-state\.json: missing/)
    expect(error.message).toMatch(/The newest checkpoint that reads is .*step-00000002: move the ones above out/)
    expect(readFileSync(join(dir, 'train-log.jsonl'), 'utf8')).toBe(log)
    expect(readdirSync(ckpts).sort()).toEqual(['step-00000002', 'step-00000004', 'step-00000006'])
    // Once the damaged ones are moved away, it resumes from the one that reads, and the log is appended to.
    rmSync(join(ckpts, 'step-00000006'), { recursive: true })
    rmSync(join(ckpts, 'step-00000004'), { recursive: true })
    const result = await again.fit({ steps: 6, resume: true })
    expect(result.resumedFrom).toBe(join(ckpts, 'step-00000002'))
    const after = readFileSync(join(dir, 'train-log.jsonl'), 'utf8')
    expect(after.startsWith(log)).toBe(true)
    expect(after.slice(log.length)).toMatch(/^\{"type":"resume","step":2,"from":"[^"]*step-00000002"/)
    again.dispose()
  })

  it('never truncates the log: a fresh run into a directory with a log is refused, a resume before the first checkpoint starts at step 0 and appends, and a line cut by a crash is closed first', async () => {
    const { dir, model, trainer: first } = await trainedInto(7, {}, 2)
    first.dispose()
    model.dispose()
    rmSync(join(dir, 'checkpoints'), { recursive: true })
    const log = readFileSync(join(dir, 'train-log.jsonl'), 'utf8')
    const notices: string[] = []
    const again = new Trainer(GPT2.random(gpt2Config('micro'), 7), base({ outputDir: dir, callbacks: { onNotice: (m) => void notices.push(m) } }))
    await expect(again.fit({ steps: 2 })).rejects.toThrow(/already holds the log of a run .*: pass resume: true .*\(nothing was overwritten\)/)
    expect(readFileSync(join(dir, 'train-log.jsonl'), 'utf8')).toBe(log)
    expect((await again.fit({ steps: 2, resume: true })).resumedFrom).toBeNull()
    expect(notices.join('\n')).toMatch(/no checkpoint in .* yet: starting at step 0 \(the log is kept and appended to\)/)
    const after = readFileSync(join(dir, 'train-log.jsonl'), 'utf8')
    expect(after.startsWith(log)).toBe(true)
    expect(after.slice(log.length)).toMatch(/^\{"type":"resume","step":0,"from":null/)
    again.dispose()

    const cut = scratch()
    const run = new Trainer(GPT2.random(gpt2Config('micro'), 7), base({ outputDir: cut, checkpointEvery: 1 }))
    await run.fit({ steps: 2 })
    run.dispose()
    writeFileSync(join(cut, 'train-log.jsonl'), '{"type":"step","step":3,"lo', { flag: 'a' })
    const resumed = new Trainer(GPT2.random(gpt2Config('micro'), 7), base({ outputDir: cut, checkpointEvery: 1 }))
    await resumed.fit({ steps: 3, resume: true })
    resumed.dispose()
    const lines = readFileSync(join(cut, 'train-log.jsonl'), 'utf8').trim().split('\n')
    expect(lines.some((l) => l === '{"type":"step","step":3,"lo')).toBe(true)
    expect(logEntries(cut, 'step').map((e) => e.step)).toEqual([1, 2, 3])
  })

  it.each([
    ['cpu', 'tensors'],
    ['wasm', 'tensors'],
    ['wasm', 'host'],
  ] as const)('resumes in-process after an abort bit-identically on %s with the optimiser state as %s: same loss curve, same weights', async (name, optimizerState) => {
    await useBackend(name)
    const opts = (dir: string, signal?: AbortController, stopAt = 0) =>
      base({
        optimizerState, valid: microExamples(6, 9), evaluateEvery: 3, schedule: 'noam', warmupSteps: 4, learningRate: 1e-3, gradientAccumulation: 2, outputDir: dir, checkpointEvery: 4, callbacks: { onStep: (e) => void (e.step === stopAt && signal?.abort()) } })
    const straightDir = scratch()
    const straightModel = GPT2.random(gpt2Config('micro'), 8)
    const straight = new Trainer(straightModel, opts(straightDir))
    await straight.fit({ steps: 10 })
    const resumedDir = scratch()
    const controller = new AbortController()
    const first = new Trainer(GPT2.random(gpt2Config('micro'), 8), opts(resumedDir, controller, 6))
    expect((await first.fit({ steps: 10, signal: controller.signal })).reason).toBe('aborted')
    first.dispose()
    const resumedModel = GPT2.random(gpt2Config('micro'), 99) // different start: the checkpoint must overwrite it
    const second = new Trainer(resumedModel, opts(resumedDir))
    const result = await second.fit({ steps: 10, resume: true })
    expect(result.resumedFrom).toMatch(/step-00000006$/)
    expect(logEntries(resumedDir, 'step').map((e) => e.loss)).toEqual(logEntries(straightDir, 'step').map((e) => e.loss))
    expect(logEntries(resumedDir, 'eval').map((e) => e.loss)).toEqual(logEntries(straightDir, 'eval').map((e) => e.loss))
    const a = await straightModel.weights()
    const b = await resumedModel.weights()
    for (const [name, w] of a) expect(Buffer.from(b.get(name)!.data.buffer).equals(Buffer.from(w.data.buffer)), name).toBe(true)
    straight.dispose()
    second.dispose()
    await useBackend(backend)
  })

  it('writes a checkpoint on abort even when none was due yet', async () => {
    const dir = scratch()
    const controller = new AbortController()
    const trainer = new Trainer(GPT2.random(gpt2Config('micro'), 7), base({ outputDir: dir, callbacks: { onStep: (e) => void (e.step === 3 && controller.abort()) } }))
    const result = await trainer.fit({ steps: 50, signal: controller.signal })
    expect(result).toMatchObject({ reason: 'aborted', step: 3, checkpoint: join(dir, 'checkpoints', 'step-00000003') })
    expect((await readTrainerCheckpoint(result.checkpoint!)).state.step).toBe(3)
    trainer.dispose()
  })

  it('refuses to start a fresh run in an outputDir that holds checkpoints, overwriting nothing', async () => {
    const { dir, model, trainer: first } = await trainedInto(7, {}, 2)
    first.dispose()
    model.dispose()
    const log = readFileSync(join(dir, 'train-log.jsonl'), 'utf8')
    const again = new Trainer(GPT2.random(gpt2Config('micro'), 7), base({ outputDir: dir }))
    await expect(again.fit({ steps: 2 })).rejects.toThrow(/already holds checkpoints of a run \(the newest at step 2\): pass resume: true/)
    expect(readFileSync(join(dir, 'train-log.jsonl'), 'utf8')).toBe(log)
    again.dispose()
  })

  it('rejects inconsistent options clearly', () => {
    const model = GPT2.random(gpt2Config('micro'), 1)
    expect(() => new Trainer(model, base({ patience: 2 }))).toThrow(/need validation data/)
    expect(() => new Trainer(model, base({ checkpointEvery: 2 }))).toThrow(/need an outputDir/)
    expect(() => new Trainer(model, base({ gradientAccumulation: 0 }))).toThrow(/gradientAccumulation must be a positive integer/)
    expect(() => new Trainer(model, base({ optimizer: 'sgd' as never }))).toThrow(/optimizer must be/)
    expect(() => new Trainer(model, base({ schedule: 'linear' })).learningRateAt(0)).toThrow(/needs totalSteps/)
    model.dispose()
  })
})

describe.each(['cpu', 'wasm'])('Trainer killed and resumed in another process (%s)', (backend) => {
  const root = resolve(__dirname, '../../../..')
  const child = resolve(__dirname, '../testing/train-child.ts')

  function run(dir: string, steps: number, opts: { resume?: boolean; killAfter?: number; signal?: NodeJS.Signals } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
    return new Promise((done, fail) => {
      const p = spawn(process.execPath, ['--conditions=@dialogpt/source', '--import', 'tsx', child, dir, String(steps), backend, opts.resume ? 'resume' : 'fresh'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      let err = ''
      let sent = false
      p.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        const seen = (out.match(/^step \d+$/gm) ?? []).length
        if (opts.killAfter !== undefined && seen >= opts.killAfter && !sent) {
          sent = true
          p.kill(opts.signal ?? 'SIGKILL')
        }
      })
      p.stderr.on('data', (d: Buffer) => void (err += d.toString()))
      p.on('error', fail)
      p.on('close', (code, signal) => (code !== 0 && code !== null ? fail(new Error(`child failed (${code}): ${err}`)) : done({ code, signal, out })))
    })
  }

  const finalWeights = (dir: string, step: number) => readFileSync(join(dir, 'checkpoints', `step-${String(step).padStart(8, '0')}`, 'model.safetensors'))
  const losses = (dir: string) => logEntries(dir, 'step').map((e) => [e.step, e.loss])

  let straight = ''
  beforeAll(async () => {
    straight = scratch()
    await run(straight, 14)
  })

  it.each([
    ['SIGKILL', 2 + Math.floor(Math.random() * 10)],
    ['SIGINT', 2 + Math.floor(Math.random() * 10)],
  ] as const)('after %s at step %i, the loss curve and final weights equal an uninterrupted run', async (signal, killAfter) => {
    const dir = scratch()
    const first = await run(dir, 14, { killAfter, signal })
    if (signal === 'SIGKILL') expect(first.signal).toBe('SIGKILL')
    else expect(first.out).toMatch(/^done aborted/m)
    const second = await run(dir, 14, { resume: true })
    expect(second.out).toMatch(/^done steps 14 /m)
    expect(losses(dir)).toEqual(losses(straight))
    expect(finalWeights(dir, 14).equals(finalWeights(straight, 14))).toBe(true)
    expect(existsSync(join(dir, 'best', 'model.safetensors'))).toBe(true)
  })
})
