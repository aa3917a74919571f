import { CheckpointError } from '../checkpoint/errors'
import { ConfigError } from '../model/config'
import { GPT2 } from '../model/gpt2'
import { prepareStateDict } from '../model/weights'
import type { GPT2Config } from '../model/config'
import { QuantizationError } from '../quant/quantization-error'
import type { QuantizedMatrix } from '../quant/quantized-matrix'
import { QUANTIZATION_METADATA_KEY, quantizedStateDict } from '../quant/quantized-state-dict'
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
  let quantized = new Map<string, QuantizedMatrix>()
  try {
    const split = quantizedStateDict(stateDict)
    quantized = split.quantized
    const prepared = prepareStateDict(split.dict, files.config)
    const stored = files.config?.[QUANTIZATION_METADATA_KEY as keyof GPT2Config]
    const dtype = options.dtype ?? (stored === 'f16' ? 'f16' : undefined)
    const model = GPT2.withDType(prepared.config, prepared.weights, quantized, dtype)
    const notes = model.dtype === 'fp32' || quantized.size > 0 ? prepared.notes : [...prepared.notes, `weight matrices quantized to ${model.dtype} as they loaded`]
    return { model, files, notes }
  } catch (error) {
    for (const q of quantized.values()) q.dispose()
    if (error instanceof ConfigError && files.files.config) throw error.withFile(files.files.config)
    if (error instanceof CheckpointError || error instanceof QuantizationError) throw error.withFile(files.files.weights)
    throw error
  }
}

/** {@link loadGPT2WithFiles}, the model alone. */
export async function loadGPT2(source: string, options: FromPretrainedOptions = {}): Promise<GPT2> {
  return (await loadGPT2WithFiles(source, options)).model
}
