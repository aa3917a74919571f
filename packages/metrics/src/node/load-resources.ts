import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { MetricsInputError } from '../errors'
import { METEOR_RESOURCE_FILES, parseMeteorResources, type MeteorResources } from '../meteor/resources'

/**
 * Loads METEOR's English resources from a directory holding `english.words`,
 * `english.prefixes` and, for the synonym module, `english.synsets` and `english.exceptions`
 * (the files of METEOR 1.5's `resources/function`, `nonbreaking` and `synonym` folders, flat),
 * and optionally `paraphrase-en.gz` (METEOR's `data/` folder) for the paraphrase module.
 * Missing synonym or paraphrase files leave those modules unavailable; the first two are required.
 */
export async function loadMeteorResources(dir: string): Promise<MeteorResources> {
  const read = async (name: string, required: boolean): Promise<string | undefined> => {
    const path = join(dir, name)
    try {
      await access(path)
    } catch {
      if (required) throw new MetricsInputError(`METEOR resource file is missing (see the @dialogpt/metrics README for where to get it)`, path)
      return undefined
    }
    return readFile(path, 'utf8')
  }
  const [functionWords, nonbreakingPrefixes, synsets, exceptions] = await Promise.all([
    read(METEOR_RESOURCE_FILES.functionWords, true),
    read(METEOR_RESOURCE_FILES.nonbreakingPrefixes, true),
    read(METEOR_RESOURCE_FILES.synsets, false),
    read(METEOR_RESOURCE_FILES.exceptions, false),
  ])
  // The paraphrase table is optional and gzipped, as METEOR ships it.
  const gz = await readFile(join(dir, METEOR_RESOURCE_FILES.paraphrases)).catch(() => undefined)
  let paraphrases: string | undefined
  if (gz) {
    try {
      paraphrases = gunzipSync(gz).toString('utf8')
    } catch (error) {
      throw new MetricsInputError(`cannot decompress the paraphrase table: ${(error as Error).message}`, join(dir, METEOR_RESOURCE_FILES.paraphrases))
    }
  }
  return parseMeteorResources({ functionWords: functionWords!, nonbreakingPrefixes: nonbreakingPrefixes!, synsets, exceptions, paraphrases })
}
