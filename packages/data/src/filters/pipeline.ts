import type { Filter, FilterResult, Instance } from './instance'

/** Composed filters with a tally: how many instances were seen, kept, and dropped for each reason. */
export interface FilterPipeline {
  /** Runs the filters in order; the first that drops decides the reason. */
  apply(instance: Instance): FilterResult
  readonly counts: { seen: number; kept: number; dropped: Record<string, number> }
}

/**
 * Composes filters; every instance is counted once, as kept or under the reason of the first filter
 * that dropped it, so `seen = kept + Σ dropped` always holds.
 */
export function filterPipeline(filters: readonly Filter[]): FilterPipeline {
  const counts = { seen: 0, kept: 0, dropped: {} as Record<string, number> }
  return {
    counts,
    apply(instance) {
      counts.seen++
      for (const f of filters) {
        const r = f(instance)
        if (!r.keep) {
          counts.dropped[r.reason] = (counts.dropped[r.reason] ?? 0) + 1
          return r
        }
      }
      counts.kept++
      return { keep: true }
    },
  }
}
