import type { Storage } from '../io/storage'
import type { GPT2 } from '../model/gpt2'
import { saveGPT2, type SaveDtype } from '../pretrained/save-gpt2'
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

  /** The newest checkpoint, verified; a {@link ResumeError} naming each unreadable one if it cannot be read. */
  latestCheckpoint(): Promise<LoadedCheckpoint | null> {
    return latestTrainerCheckpoint(this.checkpointsDir, this.storage)
  }

  /** Whether `train-log.jsonl` exists and is not empty. */
  async hasLog(): Promise<boolean> {
    return ((await this.storage.stat(this.logPath))?.size ?? 0) > 0
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
  async saveBest(model: GPT2, info: Record<string, unknown>, dtype: SaveDtype = 'float32'): Promise<void> {
    const temp = this.storage.join(this.outputDir, `best.tmp-${this.storage.ownerTag()}`)
    try {
      await saveGPT2(model, temp, { extraFiles: { 'trainer-best.json': info }, storage: this.storage, dtype })
    } catch (error) {
      await this.storage.remove(temp)
      throw error
    }
    await this.storage.remove(this.bestDir)
    await this.storage.rename(temp, this.bestDir)
  }

  /**
   * Starts the log. It is never truncated: a resumed run appends a `resume` entry (`from` is the
   * checkpoint, null when there was none yet and the run starts again at step 0; steps after the
   * checkpoint's appear again after it, and the later entries of a step supersede the earlier
   * ones), after closing a line a crash may have cut.
   */
  async startLog(resumedFrom: { step: number; dir: string | null } | null): Promise<void> {
    await this.storage.makeDir(this.outputDir)
    const size = (await this.storage.stat(this.logPath))?.size ?? 0
    if (resumedFrom === null) {
      if (size === 0) await this.storage.appendFile(this.logPath, '')
      return
    }
    const text = size > 0 ? new TextDecoder().decode(await this.storage.readFile(this.logPath)) : ''
    if (text.length > 0 && !text.endsWith('\n')) await this.storage.appendFile(this.logPath, '\n')
    await this.log({ type: 'resume', step: resumedFrom.step, from: resumedFrom.dir })
  }

  /** Appends one entry (with the time) to the log. */
  log(entry: Record<string, unknown>): Promise<void> {
    return this.storage.appendFile(this.logPath, `${JSON.stringify({ ...entry, time: new Date().toISOString() })}\n`)
  }
}
