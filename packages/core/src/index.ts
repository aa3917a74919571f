/**
 * @packageDocumentation
 * `@dialogpt/core`: GPT-2 / DialoGPT on TensorFlow.js. The model as functional tfjs-core ops,
 * checkpoint I/O (safetensors, PyTorch `.bin` zip and legacy, through a restricted unpickler),
 * Hugging Face Hub downloads into the standard cache, the GPT-2 tokenizer and DialoGPT chat.
 * It depends on `@tensorflow/tfjs-core` alone: import a backend package (`@dialogpt/backend-node`
 * or `@dialogpt/backend-web`) or any tfjs backend first. This entry is browser-safe; the Hub cache
 * and file helpers are in `@dialogpt/core/node`.
 */
import './register-gradients'

export { GPT2, disposeCache, type ForwardOptions, type ForwardOutput, type KVCache, type LayerCache, type IntMatrix } from './model/gpt2'
export { gpt2Config, reconcileConfig, parameterShapes, GPT2_PRESETS, ConfigError, type GPT2Config, type GPT2Preset } from './model/config'
export { gpt2FromStateDict } from './model/load'
export { checkModelFits, wasmInferenceBytes, ModelTooLargeError, WASM_HEAP_BYTES } from './model/wasm-fit'
export { weightsFromStateDict, type Weights } from './model/weights'
export { readStateDict, detectCheckpointFormat, type CheckpointFormat } from './checkpoint/load-state-dict'
export { readSafetensors, writeSafetensors, type SafetensorsFloatType } from './checkpoint/safetensors'
export { CheckpointError, type CheckpointErrorCode } from './checkpoint/errors'
export type { StateDict, StateDictTensor, StoredDType } from './checkpoint/tensor-data'
export { loadStateDict } from './checkpoint/load-state-dict-file'
export type { FromPretrainedOptions, PretrainedFiles } from './load/from-pretrained'
export type { HubOptions, DownloadProgress } from './hub/download'
export { HubError, type HubErrorCode } from './hub/errors'
export { GPT2Tokenizer, EOS_TOKEN_ID } from './tokenizer'
export { DialoGPT, ChatSession, DIALOGPT_CHAT_DEFAULTS, type ChatTurn } from './dialogpt'
export { AdamW, type AdamWOptions, type DecayScope } from './train/adamw'
export { noamSchedule, linearSchedule, constantSchedule } from './train/schedules'
export { dialogptLoss, dialogptPerplexity, DIALOGPT_IGNORE } from './train/objective'
export { OriginalAdam, type OriginalAdamOptions } from './train/original-adam'
export { clipByGlobalNorm } from './train/clip'
export { accumulateGradients, NonFiniteLossError, type MicroBatch, type AccumulationReduction, type AccumulatedGradients } from './train/accumulate'
export { MomentOptimizer, type MomentOptimizerOptions, type MomentArrays, type NamedTensor } from './train/moment-optimizer'
export {
  Trainer,
  TrainingDivergedError,
  type TrainerOptions,
  type TrainerCallbacks,
  type TrainingData,
  type ScheduleOption,
  type StepEvent,
  type EvaluationEvent,
  type FitOptions,
  type FitResult,
} from './train/trainer'
export type { TrainerState, LoadedCheckpoint } from './train/trainer-checkpoint'
