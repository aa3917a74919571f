import { parseNonbreakingPrefixes, type NonbreakingPrefixes } from './normalize'
import { ParaphraseTable } from './paraphrase-table'
import { SynonymDictionary } from './synonyms'

/**
 * METEOR's English language resources. They are third-party data (METEOR's LGPL distribution
 * and WordNet 3, under their own licences), so this package does not ship them: load them from
 * a directory with `loadMeteorResources` (`@dialogpt/metrics/node`), let
 * `ensureMeteorResources` download them once into a cache, or fetch the files yourself and pass
 * their text to {@link parseMeteorResources} (browsers).
 */
export interface MeteorResources {
  /** `function/english.words`: the function words (δ weighting). */
  functionWords: ReadonlySet<string>
  /** `nonbreaking/english.prefixes`, used by the `-norm` tokenizer. */
  nonbreakingPrefixes: NonbreakingPrefixes
  /** `synonym/english.synsets` + `english.exceptions`; without it the `synonym` module is unavailable. */
  synonyms?: SynonymDictionary
  /** `data/paraphrase-en.gz` (decompressed); without it the `paraphrase` module is unavailable. */
  paraphrases?: ParaphraseTable
}

/** The text of METEOR's resource files. */
export interface MeteorResourceTexts {
  /** `english.words` */
  functionWords: string
  /** `english.prefixes` */
  nonbreakingPrefixes: string
  /** `english.synsets` (optional: enables the `synonym` module, together with `exceptions`) */
  synsets?: string
  /** `english.exceptions` */
  exceptions?: string
  /** `paraphrase-en.gz`, decompressed (optional: enables the `paraphrase` module) */
  paraphrases?: string
}

/** The files of METEOR 1.5's English resources, by the names METEOR gives them. */
export const METEOR_RESOURCE_FILES = {
  functionWords: 'english.words',
  nonbreakingPrefixes: 'english.prefixes',
  synsets: 'english.synsets',
  exceptions: 'english.exceptions',
  paraphrases: 'paraphrase-en.gz',
} as const

/** Builds {@link MeteorResources} from the files' text (works anywhere, no file system needed). */
export function parseMeteorResources(texts: MeteorResourceTexts): MeteorResources {
  // METEOR adds every line as it is (no trimming) to the function-word set.
  const functionWords = new Set(texts.functionWords.split(/\r\n|\r|\n/))
  const resources: MeteorResources = { functionWords, nonbreakingPrefixes: parseNonbreakingPrefixes(texts.nonbreakingPrefixes) }
  if ((texts.synsets === undefined) !== (texts.exceptions === undefined))
    throw new Error('METEOR synonyms need both english.synsets and english.exceptions')
  if (texts.synsets !== undefined && texts.exceptions !== undefined) resources.synonyms = new SynonymDictionary(texts.synsets, texts.exceptions)
  if (texts.paraphrases !== undefined) resources.paraphrases = new ParaphraseTable(texts.paraphrases)
  return resources
}
