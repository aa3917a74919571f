import { CheckpointError } from '../checkpoint/errors'
import type { StateDict } from '../checkpoint/tensor-data'
import { defaultStorage, type Storage } from '../io/storage'
import { reconcileConfig, type GPT2Config } from '../model/config'
import { loadGPT2 } from '../pretrained/load-gpt2'
import { AdamW } from './adamw'
import type { MomentArrays } from './moment-optimizer'
import { listTrainerCheckpoints, readTrainerCheckpoint, writeTrainerCheckpoint, type TrainerState } from './trainer-checkpoint'
import { readTorchAdamWState, torchAdamWStateDictBytes, torchParameterOrder, type TorchAdamWState } from './torch-optimizer'

/**
 * A trainer checkpoint's AdamW state as the bytes of a `torch.save`d `torch.optim.AdamW`
 * `state_dict()` (see `torchAdamWStateDictBytes`), numbered by PyTorch's parameter order of the
 * checkpoint's model, with the run's hyper-parameters in `param_groups` (group 0 the decayed
 * matrices and group 1 the rest, as the library's default `decay: 'matrices'` splits them). Only
 * `'adamw'` runs export: `'adam-original'` (no bias correction) is not what `torch.optim.AdamW` does.
 */
export async function exportTorchOptimizer(checkpointDir: string, storage: Storage = defaultStorage()): Promise<{ bytes: Uint8Array; state: TorchAdamWState }> {
  const checkpoint = await readTrainerCheckpoint(checkpointDir, storage)
  if (checkpoint.state.optimizer.kind !== 'adamw')
    throw new CheckpointError('unsupported', `${checkpointDir}: trained with '${checkpoint.state.optimizer.kind}', which torch.optim.AdamW does not continue (only 'adamw' runs export)`, { file: checkpointDir })
  const dict: StateDict = new Map([...checkpoint.weights].map(([name, t]) => [name, { dtype: 'float32' as const, shape: t.shape, data: t.data }]))
  let base: Partial<GPT2Config> | undefined
  try {
    base = JSON.parse(new TextDecoder().decode(await storage.readFile(storage.join(checkpointDir, 'config.json')))) as Partial<GPT2Config>
  } catch {
    base = undefined // the shapes alone give the parameter order
  }
  const { config } = reconcileConfig(dict, base)
  const o = checkpoint.state.options as Record<string, unknown>
  const number = (key: string, fallback: number) => (typeof o[key] === 'number' ? (o[key] as number) : fallback)
  const state: TorchAdamWState = {
    step: checkpoint.state.optimizer.step,
    hyper: {
      lr: number('learningRate', 1e-5),
      betas: [number('beta1', 0.9), number('beta2', 0.999)],
      eps: number('epsilon', 1e-8),
      weightDecay: number('weightDecay', 0.01),
      decay: o.decay === 'all' ? 'all' : 'matrices',
    },
    params: torchParameterOrder(config).map(({ name, shape }) => {
      const m = checkpoint.moments.get(`${name}/m`)
      const v = checkpoint.moments.get(`${name}/v`)
      if (!m || !v) throw new CheckpointError('missing-record', `${checkpointDir}/optimizer.safetensors: no moments for '${name}'`, { tensor: name })
      return { name, shape, expAvg: m.data, expAvgSq: v.data }
    }),
  }
  return { bytes: await torchAdamWStateDictBytes(state), state }
}

/** Options of {@link importTorchCheckpoint}. */
export interface ImportTorchCheckpointOptions {
  /** A Hugging Face model directory (`save_pretrained`'s: config.json + model.safetensors or pytorch_model.bin). */
  modelDir: string
  /** The `torch.save`d `optimizer.state_dict()` of a `torch.optim.AdamW` over that model's parameters. */
  optimizerFile: string
  /** The run directory to continue with `dialogpt train --resume` / `Trainer.fit({ resume: true })`. */
  outputDir: string
  /** The batch-shuffling seed of the continued run. Default 42 (the Trainer's). */
  seed?: number
  storage?: Storage
}

/**
 * Brings a run back from PyTorch: the model of `modelDir` and the AdamW state of `optimizerFile`
 * become a trainer checkpoint (`checkpoints/step-N` in `outputDir`, N the optimizer's step) that a
 * resumed run continues from without a fresh warm-up: same weights, moments and step count. The data
 * order starts from the beginning of the store (PyTorch's sampler order is not ours), which the
 * checkpoint's `options.importedFrom` records. Returns the checkpoint's directory.
 */
export async function importTorchCheckpoint(options: ImportTorchCheckpointOptions): Promise<string> {
  const storage = options.storage ?? defaultStorage()
  const model = await loadGPT2(options.modelDir, { storage })
  let optimizer: AdamW | undefined
  try {
    const state = readTorchAdamWState(await storage.readFile(options.optimizerFile), model.config, options.optimizerFile)
    const hyper = {
      learningRate: state.hyper.lr,
      beta1: state.hyper.betas[0],
      beta2: state.hyper.betas[1],
      epsilon: state.hyper.eps,
      weightDecay: state.hyper.weightDecay,
      decay: state.hyper.decay,
    }
    optimizer = new AdamW(hyper)
    const params = model.parameters()
    const moments = new Map<string, MomentArrays>()
    for (const p of state.params) moments.set(params.get(p.name)!.name, { shape: p.shape, m: p.expAvg, v: p.expAvgSq })
    optimizer.importMoments(moments, state.step)
    const checkpointsDir = storage.join(options.outputDir, 'checkpoints')
    const newest = (await listTrainerCheckpoints(checkpointsDir, storage))[0]
    if (newest && newest.step >= state.step)
      throw new CheckpointError('unsupported', `${checkpointsDir} already holds a checkpoint at step ${newest.step} (≥ the imported step ${state.step}): import into another directory (nothing was overwritten)`, { file: newest.dir })
    const trainerState: TrainerState = {
      step: state.step,
      position: { epoch: 0, batch: 0 },
      seed: options.seed ?? 42,
      tokens: 0,
      elapsedMs: 0,
      optimizer: { kind: 'adamw', step: state.step },
      bestValidLoss: null,
      evaluationsWithoutImprovement: 0,
      options: {
        optimizer: 'adamw',
        ...hyper,
        importedFrom: { modelDir: options.modelDir, optimizerFile: options.optimizerFile, dataOrder: 'restarts at the beginning of the store' },
      },
    }
    return await writeTrainerCheckpoint(checkpointsDir, model, optimizer, trainerState, storage)
  } finally {
    optimizer?.dispose()
    model.dispose()
  }
}
