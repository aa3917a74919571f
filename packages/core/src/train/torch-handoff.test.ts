import * as tf from '@tensorflow/tfjs-core'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { PyDict} from '../checkpoint/pickle';
import { storagePersistentId, unpickle, type TensorRef } from '../checkpoint/pickle'
import { readZipDirectory } from '../checkpoint/zip'
import { asSource } from '../checkpoint/byte-source'
import { gpt2Config, parameterShapes } from '../model/config'
import { GPT2 } from '../model/gpt2'
import { saveGPT2 } from '../pretrained/save-gpt2'
import { microExamples } from '../testing/micro-data'
import { useBackend } from '../testing/tiny'
import { exportTorchOptimizer, importTorchCheckpoint } from './torch-handoff'
import { readTorchAdamWState, torchParameterOrder } from './torch-optimizer'
import { Trainer } from './trainer'
import { listTrainerCheckpoints, readTrainerCheckpoint } from './trainer-checkpoint'

const scratch = () => mkdtempSync(join(tmpdir(), 'dialogpt-torch-handoff-'))

describe('AdamW state to PyTorch and back', () => {
  beforeAll(() => useBackend(process.env.TFJS_BACKEND ?? 'cpu'))
  let run: string
  let checkpointDir: string

  beforeAll(async () => {
    run = scratch()
    const model = GPT2.random(gpt2Config('micro'), 3)
    const trainer = new Trainer(model, { train: microExamples(24), learningRate: 2e-3, schedule: 'constant', batchSize: 4, outputDir: run, weightDecay: 0.05, beta2: 0.98 })
    await trainer.fit({ steps: 3 })
    checkpointDir = (await listTrainerCheckpoints(join(run, 'checkpoints')))[0]!.dir
    model.dispose()
  })

  it('lists parameters in the order of Hugging Face GPT2LMHeadModel.parameters()', () => {
    const names = torchParameterOrder(gpt2Config('micro')).map((p) => p.name)
    expect(names.slice(0, 4)).toEqual(['transformer.wte.weight', 'transformer.wpe.weight', 'transformer.h.0.ln_1.weight', 'transformer.h.0.ln_1.bias'])
    expect(names.slice(-2)).toEqual(['transformer.ln_f.weight', 'transformer.ln_f.bias'])
    expect(names).not.toContain('lm_head.weight') // tied: PyTorch lists the shared tensor once
    expect(torchParameterOrder({ ...gpt2Config('micro'), tie_word_embeddings: false }).at(-1)!.name).toBe('lm_head.weight')
  })

  it("exports a torch.save file in PyTorch's AdamW state_dict layout, which our restricted unpickler reads back to the same values", async () => {
    const { bytes, state } = await exportTorchOptimizer(checkpointDir)
    const checkpoint = await readTrainerCheckpoint(checkpointDir)
    // The structure, read with the plain unpickler: {'state': {i: {step, exp_avg, exp_avg_sq}}, 'param_groups': [...]}.
    const source = asSource(bytes)
    const entries = readZipDirectory(source)
    const pkl = entries.get('optimizer/data.pkl')!
    const { value } = unpickle(source.read(pkl.dataOffset, pkl.size), 0, storagePersistentId)
    const top = value as PyDict
    expect([...top.entries.keys()]).toEqual(['state', 'param_groups'])
    const perParam = top.entries.get('state') as PyDict
    const order = [...parameterShapes(gpt2Config('micro')).keys()]
    expect([...perParam.entries.keys()]).toEqual(order.map((_, i) => i))
    const first = perParam.entries.get(0) as PyDict
    expect([...first.entries.keys()]).toEqual(['step', 'exp_avg', 'exp_avg_sq'])
    expect((first.entries.get('step') as TensorRef).size).toEqual([])
    const groups = top.entries.get('param_groups') as PyDict[]
    expect(groups).toHaveLength(2)
    expect([...groups[0]!.entries.keys()]).toEqual(['lr', 'betas', 'eps', 'weight_decay', 'amsgrad', 'maximize', 'foreach', 'capturable', 'differentiable', 'fused', 'params'])
    expect(groups[0]!.entries.get('weight_decay')).toBeCloseTo(0.05, 12)
    expect(groups[1]!.entries.get('weight_decay')).toBe(0)
    // Numbered group by group as state_dict() numbers them: the decayed matrices first.
    const decayed = groups[0]!.entries.get('params') as number[]
    const plain = groups[1]!.entries.get('params') as number[]
    const shapes = [...parameterShapes(gpt2Config('micro')).values()]
    const matrices = shapes.filter((s) => s.length >= 2).length
    expect(decayed).toEqual(shapes.slice(0, matrices).map((_, i) => i))
    expect(plain).toEqual(shapes.slice(matrices).map((_, i) => matrices + i))
    // The first state entry is the first matrix (wte), its moment the checkpoint's.
    expect((perParam.entries.get(0) as PyDict).entries.get('exp_avg')).toMatchObject({ size: shapes[0] })
    // The values, through the reader: bit for bit the checkpoint's moments and step.
    const back = readTorchAdamWState(bytes, gpt2Config('micro'))
    expect(back.step).toBe(3)
    expect(back.hyper).toEqual({ lr: 2e-3, betas: [0.9, 0.98], eps: 1e-8, weightDecay: 0.05, decay: 'matrices' })
    back.params.forEach((p, i) => {
      expect(p.name).toBe(order[i])
      expect(p.expAvg).toEqual(checkpoint.moments.get(`${p.name}/m`)!.data)
      expect(p.expAvgSq).toEqual(checkpoint.moments.get(`${p.name}/v`)!.data)
      expect(p.expAvg.some((x) => x !== 0)).toBe(true)
    })
    expect(state.params).toHaveLength(order.length)
  })

  it('imports a Hugging Face directory and the optimizer file as a checkpoint that a resumed run continues from', async () => {
    const { bytes } = await exportTorchOptimizer(checkpointDir)
    const checkpoint = await readTrainerCheckpoint(checkpointDir)
    const hf = scratch()
    const model = GPT2.random(gpt2Config('micro'), 3)
    for (const [name, v] of model.parameters()) v.assign(tf.tensor(checkpoint.weights.get(name)!.data, v.shape as number[]))
    await saveGPT2(model, hf)
    model.dispose()
    const optimizerFile = join(hf, 'optimizer.pt')
    writeFileSync(optimizerFile, bytes)
    const out = scratch()
    const tensorsBefore = tf.memory().numTensors
    const dir = await importTorchCheckpoint({ modelDir: hf, optimizerFile, outputDir: out })
    expect(tf.memory().numTensors).toBe(tensorsBefore) // the model and optimizer it builds are disposed
    const imported = await readTrainerCheckpoint(dir)
    expect(imported.state.step).toBe(3)
    expect(imported.state.optimizer).toEqual({ kind: 'adamw', step: 3 })
    for (const [name, t] of checkpoint.weights) expect(imported.weights.get(name)!.data).toEqual(t.data)
    for (const [name, t] of checkpoint.moments) expect(imported.moments.get(name)!.data).toEqual(t.data)
    // Importing again over it is refused; a resumed run continues at step 3.
    await expect(importTorchCheckpoint({ modelDir: hf, optimizerFile, outputDir: out })).rejects.toThrow(/already holds a checkpoint at step 3/)
    const resumedModel = GPT2.random(gpt2Config('micro'), 9)
    const trainer = new Trainer(resumedModel, { train: microExamples(24), learningRate: 2e-3, schedule: 'constant', batchSize: 4, outputDir: out })
    const result = await trainer.fit({ steps: 4, resume: true })
    expect(result.resumedFrom).toBe(dir)
    expect(result.step).toBe(4)
    resumedModel.dispose()
  })

  it('refuses a file whose records are compressed, naming the file, as the state-dict reader does', async () => {
    const { bytes } = await exportTorchOptimizer(checkpointDir)
    const deflated = bytes.slice()
    const view = new DataView(deflated.buffer)
    // Mark every central-directory entry as deflated (method 8).
    for (let at = 0; at + 46 <= deflated.length; at++) if (view.getUint32(at, true) === 0x02014b50) view.setUint16(at + 10, 8, true)
    expect(() => readTorchAdamWState(deflated, gpt2Config('micro'), 'handoff/optimizer.pt')).toThrow(/^handoff\/optimizer\.pt: zip record optimizer\/data\.pkl is compressed/)
  })

  it('refuses a file whose state does not fit the model, naming the entry', async () => {
    const { bytes } = await exportTorchOptimizer(checkpointDir)
    expect(() => readTorchAdamWState(bytes, { ...gpt2Config('micro'), n_embd: gpt2Config('micro').n_embd * 2 })).toThrow(/state\[0\]\.exp_avg \(transformer\.wte\.weight\) is \[.*\] but the parameter is/)
    expect(() => readTorchAdamWState(bytes, { ...gpt2Config('micro'), n_layer: gpt2Config('micro').n_layer - 1 })).toThrow(/param_groups\[0\] lists \d+ parameters, the model's group has \d+/)
  })
})
