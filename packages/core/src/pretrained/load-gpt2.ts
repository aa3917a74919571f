import { CheckpointError } from '../checkpoint/errors'
import { ConfigError } from '../model/config'
import { GPT2 } from '../model/gpt2'
import { QuantizationError } from '../quant/quantization-error'
import { readPretrained, type FromPretrainedOptions, type PretrainedFiles } from './read-pretrained'

/** A loaded model, the files it came with, and what loading changed or inferred. */
export interface LoadedGPT2 {
  model: GPT2
  files: Omit<PretrainedFiles, 'stateDict'>
  /**
   * One line per thing a user may want to know: the key layout that was read (a `module.` prefix
   * stripped, `lm_head.decoder.weight` found tied or untied) and every `config.json` field the
   * tensors overrode.
   */
  notes: string[]
}

/**
 * Loads a GPT-2 from a local directory or weight file, or a Hub repository id
 * (`microsoft/DialoGPT-medium`), in any format `readStateDict` reads. The dimensions come from the
 * tensors; `config.json`, when present, supplies the rest. Errors name the file they come from.
 * Also returns what was read besides the weights (the generation config).
 */
export async function loadGPT2WithFiles(source: string, options: FromPretrainedOptions = {}): Promise<LoadedGPT2> {
  const { stateDict, ...files } = await readPretrained(source, options)
  try {
    const { model, notes } = GPT2.loadStateDict(stateDict, files.config, options.dtype)
    return { model, files, notes }
  } catch (error) {
    if (error instanceof ConfigError && files.files.config) throw error.withFile(files.files.config)
    if (error instanceof CheckpointError || error instanceof QuantizationError) throw error.withFile(files.files.weights)
    throw error
  }
}

/** {@link loadGPT2WithFiles}, the model alone. */
export async function loadGPT2(source: string, options: FromPretrainedOptions = {}): Promise<GPT2> {
  return (await loadGPT2WithFiles(source, options)).model
}
