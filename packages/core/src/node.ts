/**
 * @packageDocumentation
 * `@dialogpt/core/node`: the file-system side of `@dialogpt/core` — Hub downloads into the Hugging
 * Face cache, and finding and reading a pretrained model from a directory, a file or the Hub.
 * (`GPT2.fromPretrained` and `DialoGPT.fromPretrained` use these.)
 */
export { hubFile, type HubOptions, type DownloadProgress } from './hub/download'
export { defaultHubCacheDir, repoFolder } from './hub/cache-layout'
export { readPretrained, WEIGHT_FILES, type FromPretrainedOptions, type PretrainedFiles } from './load/from-pretrained'
export {
  readTrainerCheckpoint,
  listTrainerCheckpoints,
  latestTrainerCheckpoint,
  restoreTrainerCheckpoint,
  writeTrainerCheckpoint,
  TRAINER_CHECKPOINT_FORMAT,
  type TrainerState,
  type LoadedCheckpoint,
} from './train/trainer-checkpoint'
