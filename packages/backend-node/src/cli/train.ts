import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { GPT2, gpt2Config, listTrainerCheckpoints, loadGPT2, saveGPT2, Trainer, GPT2_PRESETS, type GPT2Preset, type TrainingData, type FitResult } from '@dialogpt/core'
import { turnsToFeatures } from '@dialogpt/data'
import { prepareSessions, TokenStore } from '@dialogpt/data/node'
import { flagTable, intFlag, MODEL_SOURCE_FLAGS, numberFlag, oneOf, UsageError, type CliIo } from './io'
import { bar, formatDuration, ProgressLine } from './progress'

export const TRAIN_USAGE = `Usage: dialogpt train --train DATA --out DIR (--model DIR_OR_REPO | --from-scratch PRESET) [options]

Fine-tunes (or trains from scratch) a DialoGPT model on DialoGPT's objective, with checkpoints you
can resume from exactly. DATA is a token store from 'dialogpt prepare', or a train.tsv / JSON
dialogues file (encoded in memory).

Model:
  --model DIR_OR_REPO          start from a pretrained model (directory, weight file or Hub id)
  --from-scratch PRESET        start from random weights: ${Object.keys(GPT2_PRESETS).join(', ')}
  --revision REV  --cache-dir DIR  --local-files-only   (Hub options)
Data:
  --train DATA  --valid DATA   --max-length N (default 128 for files)   --reverse (backward model)
  --tokens-per-batch N | --batch-size N (default 4)   --seed N (default 42)
Optimisation:
  --optimizer adamw|adam-original (default adamw)   --lr X (default 1e-5)
  --schedule noam|linear|constant (default noam)    --warmup-steps N (default 4000)
  --weight-decay X (default 0.01)  --decay all|matrices (adamw; default matrices)
  --no-dropout                     train without the model config's dropout (default: applied, seeded)
  --max-grad-norm X (default 1; 'inf' for none)
  --grad-accum N (default 1)       --accumulation sum|mean (default sum, the original's)
Length and stopping:
  --steps N  --epochs N            (one is required)
  --eval-every N  --patience N     (validation loss every N steps; stop after N evaluations without progress)
Output:
  --out DIR                        checkpoints, best/ and final/ models, train-log.jsonl
  --save-dtype float32|float16|bfloat16   how best/ and final/ are stored (default float32;
                                   checkpoints stay float32 so that --resume is exact)
  --checkpoint-every N (default 1000)   --keep-checkpoints K (default 3)
  --resume                         continue from the newest intact checkpoint in DIR
  --json                           print the summary as JSON
Ctrl-C stops after the current step and writes a checkpoint.
`

async function loadData(path: string, maxLength: number, reverse: boolean): Promise<TrainingData> {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file or directory`)
  if (statSync(path).isDirectory()) {
    if (reverse) throw new UsageError(`--reverse applies to files; a store (${path}) is already encoded (prepare it with 'dialogpt prepare --reverse')`)
    return TokenStore.open(path)
  }
  const examples = []
  for await (const s of prepareSessions({ inputs: [path] })) examples.push(...turnsToFeatures(s.turns.map((text, i) => ({ text, weight: s.weights[i]! })), { maxLength, reverse }))
  if (examples.length === 0) throw new UsageError(`${path}: no training example (every session was filtered out or has fewer than 2 turns)`)
  return examples
}

/** `dialogpt train`. Returns the exit status. */
export async function trainCommand(argv: string[], io: CliIo, isTTY = false): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: flagTable(
      [...MODEL_SOURCE_FLAGS, 'from-scratch', 'train', 'valid', 'max-length', 'tokens-per-batch', 'batch-size', 'seed', 'optimizer', 'lr', 'schedule', 'warmup-steps', 'weight-decay', 'decay', 'max-grad-norm', 'grad-accum', 'accumulation', 'steps', 'epochs', 'eval-every', 'patience', 'out', 'checkpoint-every', 'keep-checkpoints', 'save-dtype'],
      ['local-files-only', 'reverse', 'resume', 'json', 'no-dropout'],
    ),
  })
  if (values.help) {
    io.stdout(TRAIN_USAGE)
    return 0
  }
  if (!values.train) throw new UsageError('--train is required')
  if (!values.out) throw new UsageError('--out is required')
  if (!values.model === !values['from-scratch']) throw new UsageError('give exactly one of --model and --from-scratch')
  const steps = intFlag(values.steps, 'steps', 1)
  const epochs = intFlag(values.epochs, 'epochs', 1)
  if (steps === undefined && epochs === undefined) throw new UsageError('give --steps or --epochs')
  const optimizer = oneOf(values.optimizer, 'optimizer', ['adamw', 'adam-original'] as const)
  const schedule = oneOf(values.schedule, 'schedule', ['noam', 'linear', 'constant'] as const)
  const decay = oneOf(values.decay, 'decay', ['all', 'matrices'] as const)
  const accumulation = oneOf(values.accumulation, 'accumulation', ['sum', 'mean'] as const)
  const preset = oneOf(values['from-scratch'], 'from-scratch', Object.keys(GPT2_PRESETS) as GPT2Preset[])
  const maxGradNorm = values['max-grad-norm'] === 'inf' ? Infinity : numberFlag(values['max-grad-norm'], 'max-grad-norm', (n) => n > 0)
  const maxLength = intFlag(values['max-length'], 'max-length', 2)
  const saveDtype = oneOf(values['save-dtype'], 'save-dtype', ['float32', 'float16', 'bfloat16'] as const) ?? 'float32'
  if (!values.resume && (await listTrainerCheckpoints(join(values.out, 'checkpoints'))).length > 0)
    throw new UsageError(`${values.out} already holds checkpoints of a run: add --resume to continue it, or choose another --out (nothing was changed)`)
  const hub = { revision: values.revision, cacheDir: values['cache-dir'], localFilesOnly: values['local-files-only'] }
  const model = preset ? GPT2.random(gpt2Config(preset), intFlag(values.seed, 'seed') ?? 42) : await loadGPT2(values.model!, hub)
  const train = await loadData(values.train, maxLength ?? 128, values.reverse ?? false)
  const valid = values.valid ? await loadData(values.valid, maxLength ?? 128, values.reverse ?? false) : undefined
  const progress = new ProgressLine(io.stderr, isTTY)
  const controller = new AbortController()
  const onSigint = () => {
    progress.update('stopping after this step; writing a checkpoint (Ctrl-C again to quit now)', true)
    if (controller.signal.aborted) process.exit(130)
    controller.abort()
  }
  process.on('SIGINT', onSigint)
  let lastEval = ''
  let trainer: Trainer | undefined
  try {
    trainer = new Trainer(model, {
      train,
      valid,
      optimizer,
      learningRate: numberFlag(values.lr, 'lr', (n) => n > 0),
      schedule,
      warmupSteps: intFlag(values['warmup-steps'], 'warmup-steps', 1),
      weightDecay: numberFlag(values['weight-decay'], 'weight-decay', (n) => n >= 0),
      decay,
      maxGradNorm,
      gradientAccumulation: intFlag(values['grad-accum'], 'grad-accum', 1),
      accumulation,
      tokensPerBatch: intFlag(values['tokens-per-batch'], 'tokens-per-batch', 1),
      batchSize: intFlag(values['batch-size'], 'batch-size', 1),
      maxLength,
      seed: intFlag(values.seed, 'seed'),
      evaluateEvery: intFlag(values['eval-every'], 'eval-every', 1),
      patience: intFlag(values.patience, 'patience', 1),
      outputDir: values.out,
      checkpointEvery: intFlag(values['checkpoint-every'], 'checkpoint-every', 1) ?? 1000,
      keepCheckpoints: intFlag(values['keep-checkpoints'], 'keep-checkpoints', 1),
      saveDtype,
      dropout: !values['no-dropout'],
      callbacks: {
        onNotice: (m) => io.stderr(`${m}\n`),
        onEvaluate: (e) => {
          lastEval = ` | valid loss ${e.loss.toFixed(3)} ppl ${e.ppl.toFixed(1)}${e.improved ? ' *' : ''}`
        },
        onStep: (e) => {
          const total = steps ?? (epochs !== undefined ? epochs * trainer!.stepsPerEpoch() : NaN)
          const eta = ((total - e.step) * e.elapsed) / Math.max(1, e.step - startStep)
          progress.update(`${bar(e.step / total)} step ${e.step}/${Math.round(total)} loss ${e.loss.toFixed(3)} ppl ${e.ppl.toFixed(1)} ${Math.round(e.tokensPerSecond)} tok/s ETA ${formatDuration(eta)}${lastEval}`)
        },
      },
    })
    const startStep = trainer.step
    const result: FitResult = await trainer.fit({ steps, epochs, signal: controller.signal, resume: values.resume })
    progress.done()
    const final = join(values.out, 'final')
    await saveGPT2(model, final, { dtype: saveDtype, extraFiles: { 'trainer-final.json': { step: result.step, reason: result.reason } } })
    const summary = {
      reason: result.reason,
      step: result.step,
      lastLoss: result.lastLoss,
      validLoss: result.lastEvaluation?.loss ?? null,
      validPpl: result.lastEvaluation?.ppl ?? null,
      bestValidLoss: result.bestValidLoss,
      checkpoint: result.checkpoint,
      best: existsSync(join(values.out, 'best')) ? join(values.out, 'best') : null,
      final,
      resumedFrom: result.resumedFrom,
      log: join(values.out, 'train-log.jsonl'),
    }
    if (values.json) io.stdout(`${JSON.stringify(summary)}\n`)
    else {
      io.stdout(`training stopped (${result.reason}) at step ${result.step}\n`)
      if (result.lastLoss !== null) io.stdout(`  last train loss ${result.lastLoss.toFixed(4)} (ppl ${Math.exp(result.lastLoss).toFixed(2)})\n`)
      if (result.lastEvaluation) io.stdout(`  valid loss ${result.lastEvaluation.loss.toFixed(4)}, ppl ${result.lastEvaluation.ppl.toFixed(2)}; best ${result.bestValidLoss!.toFixed(4)}\n`)
      if (summary.checkpoint) io.stdout(`  checkpoint ${summary.checkpoint} (resume with --resume)\n`)
      if (summary.best) io.stdout(`  best model ${summary.best} (load with --model ${summary.best})\n`)
      io.stdout(`  final model ${final} (${saveDtype})\n`)
      io.stdout(`  log ${summary.log}\n`)
    }
    return 0
  } finally {
    progress.done()
    process.off('SIGINT', onSigint)
    trainer?.dispose()
    model.dispose()
    if (train instanceof TokenStore) await train.close()
    if (valid instanceof TokenStore) await valid.close()
  }
}
