import type { Storage } from '../io/storage'
import type { GPT2 } from '../model/gpt2'
import { saveGPT2 } from '../pretrained/save-gpt2'
import type { MomentOptimizer } from './moment-optimizer'
import {
  latestTrainerCheckpoint,
  listTrainerCheckpoints,
  pruneTrainerCheckpoints,
  removeStaleTemporaries,
  restoreTrainerCheckpoint,
  writeTrainerCheckpoint,
  type LoadedCheckpoint,
  type TrainerState,
} from './trainer-checkpoint'

/**
 * Everything a training run writes under its `outputDir`: `train-log.jsonl` (one JSON line per
 * step, evaluation and checkpoint), `checkpoints/step-NNNNNNNN/` and `best/`. The training loop
 * calls these; it never touches files itself.
 */
export class TrainerFiles {
  readonly checkpointsDir: string
  readonly logPath: string
  readonly bestDir: string

  constructor(
    readonly outputDir: string,
    private readonly storage: Storage,
  ) {
    this.checkpointsDir = storage.join(outputDir, 'checkpoints')
    this.logPath = storage.join(outputDir, 'train-log.jsonl')
    this.bestDir = storage.join(outputDir, 'best')
  }

  /** Removes what a dead process left half-written (checkpoints, best model). Returns the directories removed. */
  async removeStale(): Promise<string[]> {
    return [...(await removeStaleTemporaries(this.checkpointsDir, this.storage)), ...(await removeStaleTemporaries(this.outputDir, this.storage))]
  }

  /** The checkpoints already there, newest first. */
  existingCheckpoints(): Promise<{ dir: string; step: number }[]> {
    return listTrainerCheckpoints(this.checkpointsDir, this.storage)
  }

  /** The newest checkpoint that reads back intact; damaged ones are reported through `onSkip`. */
  latestCheckpoint(onSkip: (dir: string, error: Error) => void): Promise<LoadedCheckpoint | null> {
    return latestTrainerCheckpoint(this.checkpointsDir, onSkip, this.storage)
  }

  restore(checkpoint: LoadedCheckpoint, model: GPT2, optimizer: MomentOptimizer): Promise<void> {
    return restoreTrainerCheckpoint(checkpoint, model, optimizer)
  }

  /** Writes a checkpoint and prunes all but the newest `keep`. Returns its directory. */
  async checkpoint(model: GPT2, optimizer: MomentOptimizer, state: TrainerState, keep: number): Promise<string> {
    const dir = await writeTrainerCheckpoint(this.checkpointsDir, model, optimizer, state, this.storage)
    await pruneTrainerCheckpoints(this.checkpointsDir, keep, dir, this.storage)
    return dir
  }

  /** Saves the model as `best/` (written beside it, then swapped in). */
  async saveBest(model: GPT2, info: Record<string, unknown>): Promise<void> {
    const temp = this.storage.join(this.outputDir, `best.tmp-${this.storage.ownerTag()}`)
    try {
      await saveGPT2(model, temp, { extraFiles: { 'trainer-best.json': info }, storage: this.storage })
    } catch (error) {
      await this.storage.remove(temp)
      throw error
    }
    await this.storage.remove(this.bestDir)
    await this.storage.rename(temp, this.bestDir)
  }

  /** Starts the log: a fresh run gets an empty one; a resumed run keeps the entries up to the checkpoint's step (later ones are redone). */
  async startLog(resumedAtStep: number | null): Promise<void> {
    await this.storage.makeDir(this.outputDir)
    let kept = ''
    if (resumedAtStep !== null) {
      const text = await this.storage.readFile(this.logPath).then((b) => new TextDecoder().decode(b)).catch(() => '')
      kept = text
        .split('\n')
        .filter((line) => {
          if (!line.trim()) return false
          try {
            return (JSON.parse(line) as { step?: number }).step! <= resumedAtStep
          } catch {
            return false // a line cut by a crash
          }
        })
        .map((l) => `${l}\n`)
        .join('')
    }
    const temp = `${this.logPath}.tmp`
    await this.storage.writeFile(temp, kept)
    await this.storage.rename(temp, this.logPath)
  }

  /** Appends one entry (with the time) to the log. */
  log(entry: Record<string, unknown>): Promise<void> {
    return this.storage.appendFile(this.logPath, `${JSON.stringify({ ...entry, time: new Date().toISOString() })}\n`)
  }
}
