import { filterPipeline, type FilterPipeline } from '../filters/pipeline'
import { gptNormSentence } from '../reddit/gpt-norm'
import { paperFilters, type PrepareOptions, type PreparedSession } from './prepare-options'
import type { PrepareReport } from './prepare-report'

/**
 * Every candidate session passes through here: normalisation (`gptNormSentence`, by default for
 * Reddit input only), the empty-turn rule and the paper's filters (likewise); the report counts the
 * candidate and, when it is dropped, the first rule that dropped it. Blandness comes later: it needs
 * counts over all candidates.
 */
export class SessionScreen {
  private readonly pipeline: FilterPipeline
  /** A comment is a turn of every session below it: within a thread, each text is normalised once. */
  private readonly normalized = new Map<string, string>()

  constructor(
    private readonly options: PrepareOptions,
    private readonly report: PrepareReport,
  ) {
    this.pipeline = filterPipeline(paperFilters(options.filters ?? {}))
  }

  /** Forgets the normalisations of the thread just done (Reddit input). */
  nextThread(): void {
    this.normalized.clear()
  }

  /** Counts a candidate dropped for `reason` before screening (a low score, say). */
  drop(reason: string): void {
    this.report.sessions++
    this.count(reason)
  }

  /** The session, normalised, if it passes; otherwise null (and the reason is counted). */
  screen(session: PreparedSession, isReddit: boolean): PreparedSession | null {
    const normalize = this.options.normalize ?? isReddit
    const turns = normalize ? session.turns.map(isReddit ? this.normalizeTurn : gptNormSentence) : session.turns
    this.report.sessions++
    if (turns.some((t) => !t.trim())) {
      this.count('empty-turn')
      return null
    }
    if (this.options.applyFilters ?? isReddit) {
      // The first filter that drops a session names the reason.
      const verdict = this.pipeline.apply({ source: turns.slice(0, -1), target: turns[turns.length - 1]!, subreddit: session.subreddit })
      if (!verdict.keep) {
        this.count(verdict.reason)
        return null
      }
    }
    return { ...session, turns }
  }

  count(reason: string): void {
    this.report.dropped[reason] = (this.report.dropped[reason] ?? 0) + 1
  }

  private readonly normalizeTurn = (t: string): string => {
    let n = this.normalized.get(t)
    if (n === undefined) this.normalized.set(t, (n = gptNormSentence(t)))
    return n
  }
}
