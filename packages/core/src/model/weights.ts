import { CheckpointError } from '../checkpoint/errors'
import type { StateDict } from '../checkpoint/tensor-data'
import { parameterShapes, type GPT2Config } from './config'

/** Float32 weights by Hugging Face name, in the layout {@link GPT2} keeps them. */
export type Weights = Map<string, { shape: number[]; data: Float32Array }>

const IGNORED = /(^|\.)attn\.(bias|masked_bias)$/

/**
 * Maps a checkpoint's tensors onto GPT-2's parameters and checks them: names with or without
 * the `transformer.` prefix, `attn.bias` / `attn.masked_bias` buffers ignored, `lm_head.weight`
 * accepted only when it equals `wte` (the head is tied). Every expected parameter must be there
 * with exactly its shape and a floating-point dtype, and nothing else may be: the first
 * mismatch is reported by tensor name.
 */
export function weightsFromStateDict(dict: StateDict, config: GPT2Config): Weights {
  const expected = parameterShapes(config)
  const weights: Weights = new Map()
  let lmHead: Float32Array | undefined
  for (const [rawName, tensor] of dict) {
    if (IGNORED.test(rawName)) continue
    if (rawName === 'lm_head.weight') {
      if (!(tensor.data instanceof Float32Array)) throw new CheckpointError('bad-tensor', `lm_head.weight has dtype ${tensor.dtype}, expected a floating-point type`, { tensor: rawName })
      lmHead = tensor.data
      continue
    }
    const name = rawName.startsWith('transformer.') ? rawName : `transformer.${rawName}`
    const shape = expected.get(name)
    if (!shape) throw new CheckpointError('bad-tensor', `unexpected tensor '${rawName}': a GPT-2 with ${config.n_layer} layers has no such parameter`, { tensor: rawName })
    if (weights.has(name)) throw new CheckpointError('duplicate-tensor', `tensor '${rawName}' appears twice (with and without the transformer. prefix)`, { tensor: rawName })
    if (!(tensor.data instanceof Float32Array) || !['float32', 'float16', 'bfloat16', 'float64'].includes(tensor.dtype))
      throw new CheckpointError('bad-tensor', `tensor '${rawName}' has dtype ${tensor.dtype}, expected a floating-point type`, { tensor: rawName })
    if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i]))
      throw new CheckpointError('size-mismatch', `tensor '${rawName}' has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`, { tensor: rawName })
    weights.set(name, { shape, data: tensor.data })
  }
  for (const name of expected.keys()) if (!weights.has(name)) throw new CheckpointError('missing-record', `the checkpoint has no '${name}'`, { tensor: name })
  if (lmHead) {
    const wte = weights.get('transformer.wte.weight')!.data
    const sameMemory = lmHead.buffer === wte.buffer && lmHead.byteOffset === wte.byteOffset && lmHead.length === wte.length
    if (!sameMemory && lmHead.length !== wte.length || !lmHead.every((x, i) => x === wte[i] || (Number.isNaN(x) && Number.isNaN(wte[i]!))))
      throw new CheckpointError('unsupported', 'lm_head.weight differs from transformer.wte.weight: untied output heads are not supported (GPT-2 and DialoGPT tie them)', { tensor: 'lm_head.weight' })
  }
  return weights
}
