import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { gpt2Config } from '../model/config'
import { GPT2 } from '../model/gpt2'
import { microExamples } from '../testing/micro-data'
import { useBackend } from '../testing/tiny'
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors'
import { readTrainerCheckpoint, removeStaleTemporaries, restoreTrainerCheckpoint } from './trainer-checkpoint'
import { Trainer } from './trainer'

/** The id of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''])
  await new Promise((r) => child.on('exit', r))
  return child.pid!
}

describe('process hygiene around checkpoints', () => {
  it('removes the half-written checkpoints of a killed process on the next start, and keeps those of a live one', async () => {
    await useBackend('cpu')
    const out = mkdtempSync(join(tmpdir(), 'stale-'))
    const dead = await deadPid()
    const checkpoints = join(out, 'checkpoints')
    mkdirSync(join(checkpoints, `.step-00000006.tmp-${dead}-1700000000000`, 'x'), { recursive: true })
    writeFileSync(join(checkpoints, `.step-00000006.tmp-${dead}-1700000000000`, 'model.safetensors'), Buffer.alloc(1 << 16))
    mkdirSync(join(checkpoints, `.step-00000009.tmp-${process.ppid}-1700000000001`))
    mkdirSync(join(out, `best.tmp-${dead}`))
    const notices: string[] = []
    const model = GPT2.random(gpt2Config('micro'), 1)
    const trainer = new Trainer(model, { train: microExamples(8), batchSize: 4, outputDir: out, schedule: 'constant', callbacks: { onNotice: (m) => notices.push(m) } })
    await trainer.fit({ steps: 1 })
    trainer.dispose()
    model.dispose()
    expect(readdirSync(checkpoints).sort()).toEqual([`.step-00000009.tmp-${process.ppid}-1700000000001`, 'step-00000001'])
    expect(existsSync(join(out, `best.tmp-${dead}`))).toBe(false)
    expect(notices.filter((n) => n.startsWith('removed'))).toHaveLength(2)
    expect(await removeStaleTemporaries(join(out, 'nowhere'))).toEqual([])
  })

  it('names the file when a checkpoint write fails (a full disk), and leaves no partial checkpoint', () => {
    const out = mkdtempSync(join(tmpdir(), 'efbig-'))
    const child = resolve(__dirname, '../testing/train-child.ts')
    // `ulimit -f 20`: no file may grow past 20 KiB; the micro model's weights are bigger (EFBIG, as ENOSPC would be).
    const r = spawnSync('bash', ['-c', `ulimit -f 20; exec "${process.execPath}" --conditions=@dialogpt/source --import tsx "${child}" "${out}" 4 cpu fresh`], { cwd: resolve(__dirname, '../../../..'), encoding: 'utf8' })
    expect(r.status).not.toBe(0)
    expect(r.stderr).toMatch(new RegExp(`${out}/checkpoints/\\.step-00000003\\.tmp-\\d+-\\d+/model\\.safetensors: EFBIG: file too large, write`))
    expect(readdirSync(join(out, 'checkpoints'))).toEqual([])
    expect(readdirSync(out).sort()).toEqual(['checkpoints', 'train-log.jsonl'])
  })
})

describe('a hostile checkpoint', () => {
  async function checkpointDir(): Promise<string> {
    await useBackend('cpu')
    const out = mkdtempSync(join(tmpdir(), 'hostile-ckpt-'))
    const model = GPT2.random(gpt2Config('micro'), 1)
    const trainer = new Trainer(model, { train: microExamples(8), batchSize: 4, outputDir: out, schedule: 'constant' })
    await trainer.fit({ steps: 1 })
    trainer.dispose()
    model.dispose()
    return join(out, 'checkpoints', 'step-00000001')
  }

  it('will not hash files outside the checkpoint that its state file lists', async () => {
    const dir = await checkpointDir()
    const path = join(dir, 'trainer-state.json')
    const state = JSON.parse(readFileSync(path, 'utf8'))
    state.files['../../../../etc/passwd'] = { bytes: 1, sha256: 'x' }
    writeFileSync(path, JSON.stringify(state))
    await expect(readTrainerCheckpoint(dir)).rejects.toThrow(/lists '..\/..\/..\/..\/etc\/passwd', which is not a file name inside the checkpoint/)
  })

  it('refuses optimizer moments whose shape is not their parameter\'s', async () => {
    const dir = await checkpointDir()
    const optimizerPath = join(dir, 'optimizer.safetensors')
    const moments = readSafetensors(new Uint8Array(readFileSync(optimizerPath))).tensors
    const wpe = moments.get('transformer.wpe.weight/m')!
    moments.set('transformer.wpe.weight/m', { ...wpe, shape: [wpe.shape[1]!, wpe.shape[0]!] })
    const bytes = writeSafetensors([...moments].map(([n, t]) => [n, { shape: t.shape, data: Float32Array.from(t.data) }]))
    writeFileSync(optimizerPath, bytes)
    const statePath = join(dir, 'trainer-state.json')
    const state = JSON.parse(readFileSync(statePath, 'utf8'))
    state.files['optimizer.safetensors'] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }
    writeFileSync(statePath, JSON.stringify(state))
    const model = GPT2.random(gpt2Config('micro'), 1)
    const trainer = new Trainer(model, { train: microExamples(8), batchSize: 4, outputDir: join(dir, '..', '..'), schedule: 'constant' })
    await expect(restoreTrainerCheckpoint(await readTrainerCheckpoint(dir), model, trainer.optimizer)).rejects.toMatchObject({ code: 'size-mismatch', message: expect.stringContaining("'transformer.wpe.weight/m' is [32,64] but the parameter is [64,32]") })
    trainer.dispose()
    model.dispose()
  })
})
