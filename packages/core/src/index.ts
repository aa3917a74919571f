/**
 * @packageDocumentation
 * `@dialogpt/core`: GPT-2 / DialoGPT on TensorFlow.js. The model as functional tfjs-core ops,
 * checkpoint I/O (safetensors, PyTorch `.bin` zip and legacy, through a restricted unpickler),
 * Hugging Face Hub downloads into the standard cache, the GPT-2 tokenizer and DialoGPT chat.
 * It depends on `@tensorflow/tfjs-core` alone: import a backend package (`@dialogpt/backend-node`
 * or `@dialogpt/backend-web`) or any tfjs backend first. This entry is browser-safe: file access goes
 * through a {@link Storage}, whose Node implementation (with the Hub cache) `@dialogpt/core/node`
 * provides; the wasm kernels are in `@dialogpt/core/wasm-kernels`.
 */
import './register-gradients'

export { GPT2, disposeCache, type ForwardOptions, type ForwardOutput, type KVCache, type LayerCache, type IntMatrix, type PreparedInput } from './model/gpt2'
export { causalLM, GPT2Decoding } from './model/causal-lm'
export { gpt2Config, reconcileConfig, parameterShapes, GPT2_PRESETS, ConfigError, type GPT2Config, type GPT2Preset } from './model/config'
export { linear, quantizedLinear, embed, layerNorm, geluNew, attention, tiedHead, gatherRows, takeRows, sparseNll, dropout, type Dropout, type LinearWeight } from './model/ops'
export { registerKernels, kernelsFor, registeredKernels, setKernelEnabled, type OpKernels, type OpName } from './model/kernel-registry'
export { ModelTooLargeError } from './model/model-too-large-error'
export { QuantizedMatrix, Q8_BLOCK, type QuantDType } from './quant/quantized-matrix'
export { QuantizationError, type QuantizationErrorCode } from './quant/quantization-error'
export { isQuantizable, quantizedTensors, QUANTIZATION_METADATA_KEY, Q8_VALUES_SUFFIX, Q8_SCALES_SUFFIX, type WeightDType } from './quant/quantized-state-dict'
export { quantMemory, setQuantThreads, QuantMemory, QuantMemoryError, QUANT_MEMORY_LIMIT_BYTES, type QuantThreadOptions, type QuantKernelExports } from './quant/quant-memory'
export { ConversationCache } from './model/conversation-cache'
export { QuantThreadPool, type QuantWorker, type SpawnQuantWorker } from './quant/quant-threads'
export { prepareStateDict, weightsFromStateDict, type PreparedStateDict, type Weights } from './model/weights'
export { canonicalStateDict, type CanonicalStateDict } from './model/state-dict-layout'
export { readStateDict, detectCheckpointFormat, type CheckpointFormat } from './checkpoint/read-state-dict'
export { readStateDictFile } from './checkpoint/read-state-dict-file'
export { readSafetensors, writeSafetensors, safetensorsPieces, type SafetensorsFloatType, type SafetensorsInput, type EncodedTensor } from './checkpoint/safetensors'
export { memorySource, type ByteSource, type ClosableByteSource } from './checkpoint/byte-source'
export { CheckpointError, type CheckpointErrorCode } from './checkpoint/errors'
export type { StateDict, StateDictTensor, StoredDType } from './checkpoint/tensor-data'
export { loadGPT2, loadGPT2WithFiles, type LoadedGPT2 } from './pretrained/load-gpt2'
export { readPretrained, type FromPretrainedOptions, type PretrainedFiles } from './pretrained/read-pretrained'
export { saveGPT2, huggingFaceConfig, type SaveOptions, type SaveDtype } from './pretrained/save-gpt2'
export { setDefaultStorage, defaultStorage, withSource, writePieces, type Storage, type ResolvedModelFiles, type Hasher, type FileWriter } from './io/storage'
export type { HubOptions, DownloadProgress } from './io/hub-options'
export { HubError, type HubErrorCode } from './hub/errors'
export { checkRepoId, checkRevision } from './hub/names'
export { GPT2Tokenizer, EOS_TOKEN_ID } from './tokenizer'
export { DialoGPT, ChatSession, type ChatTurn } from './dialogpt'
export { DIALOGPT_CHAT_DEFAULTS } from './generation-defaults'
export { BlockList, type BlockedMatch } from './block-list'
export { ReplyText, firstStop } from './reply-text'
export { AdamW, type AdamWOptions, type DecayScope } from './train/adamw'
export { noamSchedule, linearSchedule, constantSchedule } from './train/schedules'
export { dialogptLoss, dialogptPerplexity, exampleLosses, lossAndPerplexity, DIALOGPT_IGNORE } from './train/objective'
export type { AdamRule } from './train/adam-rule'
export { OriginalAdam, type OriginalAdamOptions } from './train/original-adam'
export { clipByGlobalNorm } from './train/clip'
export { accumulateGradients, NonFiniteLossError, type MicroBatch, type AccumulationReduction, type AccumulatedGradients } from './train/accumulate'
export { MomentOptimizer, type MomentOptimizerOptions, type MomentOptimizerDefaults, type MomentArrays, type NamedTensor } from './train/moment-optimizer'
export {
  Trainer,
  TrainingDivergedError,
  ResumeError,
  type TrainerOptions,
  type TrainerConfig,
  type TrainerCallbacks,
  type TrainingData,
  type ScheduleOption,
  type StepEvent,
  type EvaluationEvent,
  type FitOptions,
  type FitResult,
} from './train/trainer'
export { resolveTrainerConfig } from './train/trainer-config'
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
export { exportTorchOptimizer, importTorchCheckpoint, type ImportTorchCheckpointOptions } from './train/torch-handoff'
export { readTorchAdamWState, torchAdamWStateDictBytes, torchParameterOrder, torchParamGroups, type TorchAdamWState, type TorchAdamWHyper } from './train/torch-optimizer'
