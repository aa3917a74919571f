import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MetricsInputError } from '../errors'
import { METEOR_RESOURCE_FILES, parseMeteorResources, type MeteorResources } from '../meteor/resources'

/**
 * Loads METEOR's English resources from a directory holding `english.words`,
 * `english.prefixes` and, for the synonym module, `english.synsets` and `english.exceptions`
 * (the files of METEOR 1.5's `resources/function`, `nonbreaking` and `synonym` folders, flat).
 * Missing synonym files leave the synonym module unavailable; the other two are required.
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
  return parseMeteorResources({ functionWords: functionWords!, nonbreakingPrefixes: nonbreakingPrefixes!, synsets, exceptions })
}
