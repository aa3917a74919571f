import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { blandnessFilter, trigrams } from '../filters/filters'
import { SpillStream } from '../reddit/spill-stream'
import { TrigramCounter } from '../reddit/trigram-counter'
import type { PreparedSession } from './prepare-options'

/**
 * The blandness rule's two passes: it needs how often each target trigram occurs in the whole
 * corpus, so every candidate that passed the other filters is counted and waits in a temporary file
 * (`add`); once all are in, `kept()` reads them back and yields those that are not bland, calling
 * `onDrop` for the others.
 */
export class BlandnessPass {
  readonly counter = new TrigramCounter()

  private constructor(
    private readonly dir: string,
    private readonly spill: SpillStream,
    private readonly rule: { fraction?: number; minCount?: number },
  ) {}

  static async create(rule: { fraction?: number; minCount?: number }, tmpDir = tmpdir()): Promise<BlandnessPass> {
    const dir = await mkdtemp(join(tmpDir, 'dialogpt-bland-'))
    return new BlandnessPass(dir, new SpillStream(join(dir, 'sessions.jsonl')), rule)
  }

  /** Counts the session's target trigrams and keeps it until the end. */
  async add(session: PreparedSession): Promise<void> {
    countTargetTrigrams(this.counter, session)
    const wait = this.spill.write(`${JSON.stringify(session)}\n`)
    if (wait) await wait
  }

  /** The sessions that are not bland, in the order they were added. */
  async *kept(onDrop: (reason: string) => void): AsyncGenerator<PreparedSession> {
    await this.spill.end()
    yield* notBland(this.spill.file, this.counter, this.rule, onDrop)
  }

  /** Removes the temporary file (also when the run stopped early). */
  async dispose(): Promise<void> {
    this.spill.destroy()
    await rm(this.dir, { recursive: true, force: true })
  }
}

/**
 * The sessions of a candidates file (JSON lines, as {@link BlandnessPass} spills them) that are not
 * bland by `counter`'s counts (all of them when `counter` is null: no blandness rule), in file
 * order; `onDrop` gets the reason of each bland one.
 */
export async function* notBland(file: string, counter: TrigramCounter | null, rule: { fraction?: number; minCount?: number }, onDrop: (reason: string) => void): AsyncGenerator<PreparedSession> {
  const isBland = counter ? blandnessFilter((g) => counter.count(g), rule) : null
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!line) continue
    const s = JSON.parse(line) as PreparedSession
    if (!isBland) {
      yield s
      continue
    }
    const verdict = isBland({ source: s.turns.slice(0, -1), target: s.turns[s.turns.length - 1]! })
    if (verdict.keep) yield s
    else onDrop(verdict.reason)
  }
}

/** Counts a session's target trigrams, as the blandness rule reads them. */
export function countTargetTrigrams(counter: TrigramCounter, session: PreparedSession): void {
  for (const g of trigrams(session.turns[session.turns.length - 1]!)) counter.add(g)
}
