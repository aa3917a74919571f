import { CheckpointError } from '../checkpoint/errors'
import type { StateDict } from '../checkpoint/tensor-data'
import { parameterShapes, reconcileConfig, type GPT2Config } from './config'
import { canonicalStateDict } from './state-dict-layout'

/** Float32 weights by Hugging Face name, in the layout {@link GPT2} keeps them. */
export type Weights = Map<string, { shape: number[]; data: Float32Array }>

const IGNORED = /^transformer\.h\.\d+\.attn\.(bias|masked_bias)$/

/** A GPT-2 built from a state dict: its config, its weights, and what loading changed or inferred. */
export interface PreparedStateDict {
  config: GPT2Config
  weights: Weights
  /** Layout changes (see {@link canonicalStateDict}) and config fields the tensors overrode. */
  notes: string[]
}

/**
 * Everything {@link GPT2.fromStateDict} needs, checked: the names brought to Hugging Face's layout,
 * the dimensions read from the tensors (they win over `config`), the weights matched to them.
 */
export function prepareStateDict(raw: StateDict, config?: Partial<GPT2Config>): PreparedStateDict {
  const { dict, notes } = canonicalStateDict(raw)
  const reconciled = reconcileConfig(dict, config)
  return { config: reconciled.config, weights: weightsFromStateDict(dict, reconciled.config), notes: [...notes, ...reconciled.corrections] }
}

/**
 * Maps a state dict under Hugging Face's names (see {@link canonicalStateDict}) onto GPT-2's
 * parameters and checks them: `attn.bias` / `attn.masked_bias` buffers ignored, every expected
 * parameter there with exactly its shape and a floating-point dtype, and nothing else: the first
 * mismatch is reported by tensor name.
 */
export function weightsFromStateDict(dict: StateDict, config: GPT2Config): Weights {
  const expected = parameterShapes(config)
  const weights: Weights = new Map()
  for (const [name, tensor] of dict) {
    if (IGNORED.test(name)) continue
    const shape = expected.get(name)
    if (!shape) throw new CheckpointError('bad-tensor', `unexpected tensor '${name}': a GPT-2 with ${config.n_layer} layers has no such parameter`, { tensor: name })
    if (!(tensor.data instanceof Float32Array) || !['float32', 'float16', 'bfloat16', 'float64'].includes(tensor.dtype))
      throw new CheckpointError('bad-tensor', `tensor '${name}' has dtype ${tensor.dtype}, expected a floating-point type`, { tensor: name })
    if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i]))
      throw new CheckpointError('size-mismatch', `tensor '${name}' has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`, { tensor: name })
    weights.set(name, { shape, data: tensor.data })
  }
  for (const name of expected.keys()) if (!weights.has(name)) throw new CheckpointError('missing-record', `the checkpoint has no '${name}'`, { tensor: name })
  return weights
}
