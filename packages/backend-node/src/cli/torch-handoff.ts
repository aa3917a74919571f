import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { exportTorchOptimizer, importTorchCheckpoint, listTrainerCheckpoints } from '@dialogpt/core'
import { exportStoreJsonl } from '@dialogpt/data/node'
import { flagTable, intFlag, UsageError, type CliIo } from './io'

export const EXPORT_TORCH_USAGE = `Usage: dialogpt export-torch --out DIR [--store STORE --world-size N] [--checkpoint DIR | --run DIR]

Hands training over to PyTorch (examples/scale-out/train_ddp.py; DDP, DeepSpeed or accelerate):
  --store STORE        the token store, written as DIR/data/train-RRRRR-of-NNNNN.jsonl
                       ({"input_ids": [...], "lm_labels": [...]}, -1 not trained), example i to rank i mod N
  --world-size N       ranks to split the data into (default 1)
  --checkpoint DIR     a trainer checkpoint (checkpoints/step-N): its model as DIR/model (config.json +
                       model.safetensors, Hugging Face's layout) and its AdamW state as DIR/optimizer.pt,
                       a torch.save'd state_dict() that torch.optim.AdamW.load_state_dict accepts
  --run DIR            the newest checkpoint of a training run directory
Also writes DIR/handoff.json (step, hyper-parameters, the data files).
`

export const IMPORT_TORCH_USAGE = `Usage: dialogpt import-torch --model HF_DIR --optimizer FILE --out RUN_DIR [--seed N]

Brings a run back from PyTorch: the Hugging Face model directory and the torch.save'd AdamW
state_dict() become a checkpoint in RUN_DIR/checkpoints, which 'dialogpt train --resume --out RUN_DIR
--model HF_DIR --train ...' continues from (same weights, moments and step; the data order starts
from the beginning of the store).
`

const EXPORT_FLAGS = flagTable(['out', 'store', 'world-size', 'checkpoint', 'run'] as const, [] as const)
const IMPORT_FLAGS = flagTable(['model', 'optimizer', 'out', 'seed'] as const, [] as const)

/** `dialogpt export-torch`. Returns the exit status. */
export async function exportTorchCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: EXPORT_FLAGS, allowPositionals: false })
  if (values.help) {
    io.stdout(EXPORT_TORCH_USAGE)
    return 0
  }
  if (!values.out) throw new UsageError('--out is required')
  if (values.checkpoint && values.run) throw new UsageError('give --checkpoint or --run, not both')
  if (!values.store && !values.checkpoint && !values.run) throw new UsageError('nothing to export: give --store, --checkpoint or --run')
  const worldSize = intFlag(values['world-size'], 'world-size', 1) ?? 1
  await mkdir(values.out, { recursive: true })
  const handoff: Record<string, unknown> = { format: 'dialogpt-torch-handoff', version: 1 }
  if (values.store) {
    const data = await exportStoreJsonl(values.store, join(values.out, 'data'), { worldSize })
    handoff.data = { worldSize, examples: data.examples, files: data.files.map((f) => ({ ...f, file: `data/${f.file}` })) }
    io.stdout(`${data.examples} examples written as ${worldSize} JSON-lines file(s) in ${join(values.out, 'data')}\n`)
  }
  let checkpoint = values.checkpoint
  if (values.run) {
    const newest = (await listTrainerCheckpoints(join(values.run, 'checkpoints')))[0]
    if (!newest) throw new UsageError(`${values.run} holds no checkpoint (checkpoints/step-N)`)
    checkpoint = newest.dir
  }
  if (checkpoint) {
    const { bytes, state } = await exportTorchOptimizer(checkpoint)
    await mkdir(join(values.out, 'model'), { recursive: true })
    for (const file of ['config.json', 'model.safetensors']) await copyFile(join(checkpoint, file), join(values.out, 'model', file))
    await writeFile(join(values.out, 'optimizer.pt'), bytes)
    handoff.checkpoint = { from: checkpoint, step: state.step, hyper: state.hyper, model: 'model', optimizer: 'optimizer.pt' }
    io.stdout(`step ${state.step}: model in ${join(values.out, 'model')}, AdamW state in ${join(values.out, 'optimizer.pt')}\n`)
  }
  await writeFile(join(values.out, 'handoff.json'), `${JSON.stringify(handoff, null, 2)}\n`)
  return 0
}

/** `dialogpt import-torch`. Returns the exit status. */
export async function importTorchCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: IMPORT_FLAGS, allowPositionals: false })
  if (values.help) {
    io.stdout(IMPORT_TORCH_USAGE)
    return 0
  }
  if (!values.model || !values.optimizer || !values.out) throw new UsageError('--model, --optimizer and --out are required')
  const dir = await importTorchCheckpoint({ modelDir: values.model, optimizerFile: values.optimizer, outputDir: values.out, seed: intFlag(values.seed, 'seed', 0) })
  io.stdout(`checkpoint written to ${dir}: continue with 'dialogpt train --resume --out ${values.out} --model ${values.model} --train ...'\n`)
  return 0
}
