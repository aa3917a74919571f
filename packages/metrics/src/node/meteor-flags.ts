import type { MeteorModule } from '../meteor/aligner'
import type { MeteorResources } from '../meteor/resources'
import { ensureMeteorResources } from './ensure-resources'
import { loadMeteorResources } from './load-resources'

/** The METEOR flags the `dialogpt-eval` commands share. */
export interface MeteorFlags {
  'meteor-modules'?: string
  'meteor-data'?: string
  'meteor-cache'?: string
  'meteor-url'?: string
}

/** `--meteor-modules`: the module list, `'none'` to skip METEOR, or the unknown names (a usage error). */
export function parseMeteorModules(value: string | undefined): { modules: MeteorModule[] } | 'none' | { unknown: string } {
  const modules = (value ?? 'exact,stem,synonym').split(',').map((m) => m.trim()).filter(Boolean)
  if (modules.length === 1 && modules[0] === 'none') return 'none'
  const unknown = modules.filter((m) => !['exact', 'stem', 'synonym', 'paraphrase'].includes(m))
  if (modules.length === 0 || unknown.length > 0) return { unknown: unknown.join(', ') || '(empty)' }
  return { modules: modules as MeteorModule[] }
}

/** METEOR's data from `--meteor-data`, or from the download cache (`--meteor-cache`, `--meteor-url` or `DIALOGPT_METEOR_URL`). */
export function meteorResourcesFor(flags: MeteorFlags): Promise<MeteorResources> {
  return flags['meteor-data']
    ? loadMeteorResources(flags['meteor-data'])
    : ensureMeteorResources({ cacheDir: flags['meteor-cache'], baseUrl: flags['meteor-url'] ?? process.env.DIALOGPT_METEOR_URL })
}
