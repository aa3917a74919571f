/**
 * @packageDocumentation
 * `@dialogpt/metrics/node`: Node helpers for the metrics — METEOR data from a directory or a
 * checksummed download cache, and reading corpora from files with clear errors.
 */
export { loadMeteorResources } from './load-resources'
export {
  ensureMeteorResources,
  defaultMeteorCacheDir,
  MeteorDownloadError,
  METEOR_DEFAULT_BASE_URL,
  METEOR_RESOURCE_CHECKSUMS,
  type EnsureMeteorResourcesOptions,
} from './ensure-resources'
export { readLinesFile } from './read-lines'
export { readCorpus, type Corpus } from './read-corpus'
export { runEvalCli, formatTable, EVAL_USAGE, type CliIo } from './eval-cli'
export { runHumanCli, runCorrelateCli, HUMAN_USAGE, CORRELATE_USAGE } from './human-cli'
