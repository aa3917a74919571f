/** One training instance: the source turns (oldest first) and the target turn, as text. */
export interface Instance {
  source: readonly string[]
  target: string
  /** The subreddit the conversation comes from, when known. */
  subreddit?: string
}

/** A filter's verdict; a dropped instance says why. */
export type FilterResult = { keep: true } | { keep: false; reason: string }

/** A filter: a pure function of one instance. */
export type Filter = (instance: Instance) => FilterResult

export const KEEP: FilterResult = { keep: true }
export const drop = (reason: string): FilterResult => ({ keep: false, reason })

/** Whitespace words of a text. */
export const words = (text: string): string[] => text.split(/\s+/).filter(Boolean)
