import { CheckpointError } from '../checkpoint/errors'
import { ConfigError } from '../model/config'
import { GPT2 } from '../model/gpt2'
import { readPretrained, type FromPretrainedOptions, type PretrainedFiles } from './read-pretrained'

/**
 * Loads a GPT-2 from a local directory or weight file, or a Hub repository id
 * (`microsoft/DialoGPT-medium`), in any format `readStateDict` reads. The dimensions come from the
 * tensors; `config.json`, when present, supplies the rest. Errors name the file they come from.
 * Also returns what was read besides the weights (the generation config).
 */
export async function loadGPT2WithFiles(source: string, options: FromPretrainedOptions = {}): Promise<{ model: GPT2; files: Omit<PretrainedFiles, 'stateDict'> }> {
  const { stateDict, ...files } = await readPretrained(source, options)
  try {
    return { model: GPT2.fromStateDict(stateDict, files.config), files }
  } catch (error) {
    if (error instanceof ConfigError && files.files.config) throw error.withFile(files.files.config)
    if (error instanceof CheckpointError) throw error.withFile(files.files.weights)
    throw error
  }
}

/** {@link loadGPT2WithFiles}, the model alone. */
export async function loadGPT2(source: string, options: FromPretrainedOptions = {}): Promise<GPT2> {
  return (await loadGPT2WithFiles(source, options)).model
}
