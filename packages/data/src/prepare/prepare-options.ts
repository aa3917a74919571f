import {
  capitalsFilter,
  commonWordFilter,
  lengthFilter,
  longTokenFilter,
  markupFilter,
  phraseBlocklistFilter,
  repetitionFilter,
  subredditFilter,
  urlFilter,
} from '../filters/filters'
import type { Filter } from '../filters/instance'
import type { MalformedLine } from '../input/malformed'
import type { GroupOptions } from '../reddit/group-threads'
import type { SessionOptions } from '../reddit/sessions'
import type { PrepareReport } from './prepare-report'
import type { ShardSpec } from './shard-spec'

/** What an input file holds. `auto`: `.tsv` → tsv, `.json` holding dialogues → dialogues, else Reddit comments. */
export type InputFormat = 'auto' | 'reddit' | 'tsv' | 'dialogues'

export interface FilterOptions {
  /** Subreddits to exclude (Reddit input). */
  subredditBlocklist?: readonly string[]
  /** Offensive phrases: a target containing one is dropped. */
  phraseBlocklist?: readonly string[]
  /** Also reject `(` `)`, as the original code does. Default true. */
  parentheses?: boolean
  /** The top-50-words rule (the paper's, not in the original code): `false` turns it off; a list replaces the default. Default on. */
  commonWords?: readonly string[] | false
  /** The blandness rule (needs a counting pass): `false` turns it off. Default `{ fraction: 0.9, minCount: 1000 }`. */
  blandness?: { fraction?: number; minCount?: number } | false
  /** Source + target word limit. Default 200. */
  maxWords?: number
  /** Target token length limit in characters. Default 30. */
  maxTokenChars?: number
}

export interface PrepareOptions {
  inputs: readonly string[]
  format?: InputFormat
  /** Session building from comment trees (Reddit input). Defaults as the original: leaves only, 2..5 turns, 30-word turns. */
  sessions?: SessionOptions
  /** Targets scoring below this are dropped (Reddit input; a missing score counts as 0). Default 1, the original's. */
  minScore?: number
  /** Apply `gptNormSentence` to every turn. Default true for Reddit input, false otherwise. */
  normalize?: boolean
  /** Apply the paper's filters. Default true for Reddit input, false for TSV and dialogues (your own data). */
  applyFilters?: boolean
  filters?: FilterOptions
  /** Grouping comments by thread: memory bound and spill directory. */
  grouping?: GroupOptions
  /** Called with every line that is not usable (file and line number). */
  onMalformed?: (m: MalformedLine) => void
  /** Called now and then with the counts so far. */
  onProgress?: (report: PrepareReport) => void
  /** One shard of a sharded preparation (Reddit input; see `prepareShard`). */
  shard?: ShardSpec
}

/** A session that passed every filter. `weights[i]` is turn i's loss weight. */
export interface PreparedSession {
  turns: string[]
  weights: number[]
  subreddit?: string
  linkId?: string
  ids?: string[]
}

/** The paper's filters in the order the original applies its rules (blandness is separate: it needs counts). */
export function paperFilters(options: FilterOptions = {}): Filter[] {
  const filters: Filter[] = [longTokenFilter(options.maxTokenChars ?? 30), lengthFilter(options.maxWords ?? 200), urlFilter, markupFilter({ parentheses: options.parentheses ?? true }), capitalsFilter, repetitionFilter]
  if (options.commonWords !== false) filters.push(commonWordFilter(options.commonWords))
  if (options.phraseBlocklist?.length) filters.push(phraseBlocklistFilter(options.phraseBlocklist))
  if (options.subredditBlocklist?.length) filters.push(subredditFilter(options.subredditBlocklist))
  return filters
}
