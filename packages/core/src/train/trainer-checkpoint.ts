import * as tf from '@tensorflow/tfjs-core'
import type { BatchPosition } from '@dialogpt/data'
import { CheckpointError } from '../checkpoint/errors'
import { readSafetensors, safetensorsPieces } from '../checkpoint/safetensors'
import type { GPT2 } from '../model/gpt2'
import { huggingFaceConfig } from '../pretrained/save-gpt2'
import { defaultStorage, withSource, writePieces, type Storage } from '../io/storage'
import type { MomentArrays, MomentOptimizer } from './moment-optimizer'
import { ResumeError } from './trainer-events'

/** `trainer-state.json`'s format name; bumped when the layout changes. */
export const TRAINER_CHECKPOINT_FORMAT = 'dialogpt-trainer-checkpoint'
const VERSION = 1

/** Everything besides tensors that a resumed run needs to continue exactly. */
export interface TrainerState {
  /** Optimiser updates made. */
  step: number
  /** The next batch to read. */
  position: BatchPosition
  /** The batch shuffling seed (the only randomness in training; with it and `position` the data order is restored). */
  seed: number
  /** Labelled tokens trained on so far. */
  tokens: number
  /** Training time so far, in milliseconds (excluding time spent in checkpoints and evaluation). */
  elapsedMs: number
  optimizer: { kind: string; step: number }
  /** Best validation loss so far and how many evaluations since it improved (early stopping). */
  bestValidLoss: number | null
  evaluationsWithoutImprovement: number
  /** Informational: the options the run was started with. */
  options: Record<string, unknown>
}

interface StateFile extends TrainerState {
  format: typeof TRAINER_CHECKPOINT_FORMAT
  version: number
  /** SHA-256 and size of every other file in the directory, checked on load. */
  files: Record<string, { bytes: number; sha256: string }>
}

/** A checkpoint read back and verified. */
export interface LoadedCheckpoint {
  dir: string
  state: TrainerState
  weights: Map<string, { shape: number[]; data: Float32Array }>
  /** `<parameter>/m` and `<parameter>/v` by Hugging Face parameter name. */
  moments: Map<string, { shape: number[]; data: Float32Array }>
}

const STEP_DIR = /^step-(\d+)$/

/** Checkpoint files are hashed this many bytes at a time. */
const HASH_CHUNK = 64 * 2 ** 20

/** `<root>/checkpoints/step-00000100`. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`
}

/**
 * Writes a checkpoint directory atomically: every file goes into a temporary directory, the
 * state file (with the SHA-256 of every other file) last, then the directory is renamed into place.
 * Files: `config.json` + `model.safetensors` (Hugging Face names: loadable by `fromPretrained` and
 * by transformers), `optimizer.safetensors` (moments), `trainer-state.json`. Returns the path.
 */
export async function writeTrainerCheckpoint(checkpointsDir: string, model: GPT2, optimizer: MomentOptimizer, state: TrainerState, storage: Storage = defaultStorage()): Promise<string> {
  await storage.makeDir(checkpointsDir)
  const name = checkpointName(state.step)
  const final = storage.join(checkpointsDir, name)
  const temp = storage.join(checkpointsDir, `.${name}.tmp-${storage.ownerTag()}`)
  await storage.makeDir(temp)
  try {
    const byVariable = new Map([...model.parameters()].map(([hf, v]) => [v.name, hf]))
    const moments: [string, { shape: number[]; data: Float32Array }][] = []
    for (const [variable, { shape, m, v }] of await optimizer.exportMoments()) {
      const hf = byVariable.get(variable)
      if (!hf) throw new Error(`optimizer state of '${variable}' belongs to no parameter of this model`)
      moments.push([`${hf}/m`, { shape, data: m }], [`${hf}/v`, { shape, data: v }])
    }
    // Written tensor by tensor (any size: DialoGPT-medium's moments are 2.6 GiB), hashed as they are written.
    const files: Record<string, Iterable<Uint8Array>> = {
      'model.safetensors': safetensorsPieces(await model.weights()),
      'optimizer.safetensors': safetensorsPieces(moments),
      'config.json': [new TextEncoder().encode(`${JSON.stringify(huggingFaceConfig(model), null, 2)}\n`)],
    }
    const listing: StateFile['files'] = {}
    for (const [file, pieces] of Object.entries(files)) listing[file] = await writePieces(storage, storage.join(temp, file), pieces, { durable: true })
    const stateFile: StateFile = { format: TRAINER_CHECKPOINT_FORMAT, version: VERSION, ...state, files: listing }
    await storage.writeFile(storage.join(temp, 'trainer-state.json'), `${JSON.stringify(stateFile, null, 2)}\n`, { durable: true })
    await storage.remove(final)
    await storage.rename(temp, final)
    return final
  } catch (error) {
    await storage.remove(temp)
    throw error
  }
}

/** A checkpoint being written (`.step-00000012.tmp-<owner>`), or the best model (`best.tmp-<owner>`). */
const TEMP_DIR = /^(?:\.step-\d+\.tmp-|best\.tmp-)(.+)$/

/**
 * Removes, from `dir`, the temporary checkpoint and best-model directories left behind by a process
 * that no longer runs (killed while writing: `kill -9`, a power cut). Those of a live process other
 * than this one are left alone. Returns the directories removed.
 */
export async function removeStaleTemporaries(dir: string, storage: Storage = defaultStorage()): Promise<string[]> {
  const removed: string[] = []
  for (const name of await storage.list(dir)) {
    const m = TEMP_DIR.exec(name)
    if (!m || !storage.isStale(m[1]!)) continue
    const stale = storage.join(dir, name)
    await storage.remove(stale)
    removed.push(stale)
  }
  return removed
}

/** Checkpoint directories under `checkpointsDir`, newest (highest step) first. Temporary directories are ignored. */
export async function listTrainerCheckpoints(checkpointsDir: string, storage: Storage = defaultStorage()): Promise<{ dir: string; step: number }[]> {
  return (await storage.list(checkpointsDir))
    .map((n) => ({ n, m: STEP_DIR.exec(n) }))
    .filter((x) => x.m)
    .map((x) => ({ dir: storage.join(checkpointsDir, x.n), step: Number(x.m![1]) }))
    .sort((a, b) => b.step - a.step)
}

/**
 * Reads and verifies a checkpoint directory: the state file must be complete, and every file it
 * lists must exist with the recorded size and SHA-256. Anything else is a {@link CheckpointError}
 * that names the file.
 */
export async function readTrainerCheckpoint(dir: string, storage: Storage = defaultStorage()): Promise<LoadedCheckpoint> {
  const statePath = storage.join(dir, 'trainer-state.json')
  let state: StateFile
  try {
    state = JSON.parse(new TextDecoder().decode(await storage.readFile(statePath))) as StateFile
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
    throw new CheckpointError(missing ? 'truncated' : 'corrupt', `${statePath}: ${missing ? 'missing (the checkpoint was not completely written)' : 'not valid JSON'}`, { file: statePath })
  }
  if (state.format !== TRAINER_CHECKPOINT_FORMAT || state.version !== VERSION) throw new CheckpointError('unsupported', `${statePath}: not a version-${VERSION} trainer checkpoint`, { file: statePath })
  const listed = new Map<string, { bytes: number; sha256: string }>()
  for (const [file, want] of Object.entries(state.files ?? {})) {
    // The state file lists the files to verify: only plain names inside the checkpoint directory.
    if (!/^[\w.-]+$/.test(file) || file === '.' || file === '..') throw new CheckpointError('corrupt', `${statePath}: lists '${file}', which is not a file name inside the checkpoint`, { file: statePath })
    listed.set(file, want)
  }
  for (const need of ['model.safetensors', 'optimizer.safetensors']) if (!listed.has(need)) throw new CheckpointError('truncated', `${storage.join(dir, need)}: not listed in trainer-state.json`, { file: storage.join(dir, need) })
  const tensors = new Map<string, Map<string, { shape: number[]; data: Float32Array }>>()
  for (const [file, want] of listed) {
    const p = storage.join(dir, file)
    const found = await storage.stat(p)
    if (!found) throw new CheckpointError('truncated', `${p}: missing from the checkpoint`, { file: p })
    if (found.size !== want.bytes) throw new CheckpointError('truncated', `${p}: ${found.size} bytes, the checkpoint recorded ${want.bytes} (truncated or partial)`, { file: p })
    try {
      // Verified, then parsed, a piece at a time: the files may be larger than one read.
      await withSource(storage, p, (source) => {
        const hash = storage.sha256()
        for (let at = 0; at < source.length; at += HASH_CHUNK) hash.update(source.read(at, Math.min(HASH_CHUNK, source.length - at)))
        if (hash.digest() !== want.sha256) throw new CheckpointError('corrupt', `${p}: SHA-256 differs from the one recorded in trainer-state.json (corrupted)`, { file: p })
        if (!file.endsWith('.safetensors')) return
        const out = new Map<string, { shape: number[]; data: Float32Array }>()
        for (const [name, t] of readSafetensors(source).tensors) out.set(name, { shape: t.shape, data: t.data as Float32Array })
        tensors.set(file, out)
      })
    } catch (error) {
      if (error instanceof CheckpointError) throw error.withFile(p)
      throw new CheckpointError('corrupt', `${p}: cannot be read: ${(error as Error).message}`, { file: p })
    }
  }
  const { files: _files, format: _format, version: _version, ...rest } = state
  return { dir, state: rest, weights: tensors.get('model.safetensors')!, moments: tensors.get('optimizer.safetensors')! }
}

/**
 * The newest checkpoint under `checkpointsDir`, read and verified, or null when there is none. If it
 * cannot be read, every checkpoint is tried so that the {@link ResumeError} names each unreadable
 * one and why, and the newest that would read; nothing is skipped silently and nothing is deleted.
 */
export async function latestTrainerCheckpoint(checkpointsDir: string, storage: Storage = defaultStorage()): Promise<LoadedCheckpoint | null> {
  const all = await listTrainerCheckpoints(checkpointsDir, storage)
  const unreadable: { dir: string; reason: string }[] = []
  let readable: string | undefined
  for (const { dir } of all) {
    try {
      const checkpoint = await readTrainerCheckpoint(dir, storage)
      if (unreadable.length === 0) return checkpoint
      readable = dir
      break
    } catch (error) {
      unreadable.push({ dir, reason: (error as Error).message })
    }
  }
  if (unreadable.length === 0) return null
  const list = unreadable.map((u) => `  ${u.dir}: ${u.reason}`).join('\n')
  const next = readable
    ? `The newest checkpoint that reads is ${readable}: move the ones above out of ${checkpointsDir} to resume from it.`
    : 'No checkpoint reads: restore them from a backup, or start a new run in another directory.'
  throw new ResumeError(`cannot resume: ${unreadable.length === 1 ? 'a checkpoint' : `${unreadable.length} checkpoints`} cannot be read (nothing was overwritten):\n${list}\n${next}`, unreadable)
}

/** Puts a checkpoint's weights and moments into `model` and `optimizer` (names and shapes checked). */
export async function restoreTrainerCheckpoint(checkpoint: LoadedCheckpoint, model: GPT2, optimizer: MomentOptimizer): Promise<void> {
  const params = model.parameters()
  for (const [name, variable] of params) {
    const w = checkpoint.weights.get(name)
    if (!w) throw new CheckpointError('missing-record', `${checkpoint.dir}/model.safetensors: no tensor '${name}' (the checkpoint is from another model shape)`, { tensor: name })
    if (w.shape.join() !== variable.shape.join()) throw new CheckpointError('size-mismatch', `${checkpoint.dir}/model.safetensors: '${name}' is [${w.shape}] but the model has [${variable.shape}]`, { tensor: name })
    tf.tidy(() => variable.assign(tf.tensor(w.data, w.shape, 'float32')))
  }
  const moments = new Map<string, MomentArrays>()
  for (const [key, t] of checkpoint.moments) {
    const cut = key.lastIndexOf('/')
    const variable = params.get(key.slice(0, cut))
    const which = key.slice(cut + 1)
    if (!variable || (which !== 'm' && which !== 'v')) throw new CheckpointError('missing-record', `${checkpoint.dir}/optimizer.safetensors: '${key}' belongs to no parameter of this model`, { tensor: key })
    if (t.shape.join() !== variable.shape.join())
      throw new CheckpointError('size-mismatch', `${checkpoint.dir}/optimizer.safetensors: '${key}' is [${t.shape}] but the parameter is [${variable.shape}]`, { tensor: key })
    const state = moments.get(variable.name) ?? { shape: t.shape, m: new Float32Array(0), v: new Float32Array(0) }
    state[which] = t.data
    moments.set(variable.name, state)
  }
  for (const [name, state] of moments)
    if (state.m.length === 0 || state.v.length === 0) throw new CheckpointError('missing-record', `${checkpoint.dir}/optimizer.safetensors: '${name}' has ${state.m.length ? 'no v' : 'no m'}`, { tensor: name })
  if (!Number.isSafeInteger(checkpoint.state.optimizer?.step) || checkpoint.state.optimizer.step < 0)
    throw new CheckpointError('corrupt', `${checkpoint.dir}/trainer-state.json: optimizer.step is ${JSON.stringify(checkpoint.state.optimizer?.step)}, not a step count`, { file: `${checkpoint.dir}/trainer-state.json` })
  optimizer.importMoments(moments, checkpoint.state.optimizer.step)
}

/** Deletes all but the newest `keep` checkpoints (and never `protect`). */
export async function pruneTrainerCheckpoints(checkpointsDir: string, keep: number, protect?: string, storage: Storage = defaultStorage()): Promise<void> {
  const all = await listTrainerCheckpoints(checkpointsDir, storage)
  for (const { dir } of all.slice(keep)) if (dir !== protect) await storage.remove(dir)
}
