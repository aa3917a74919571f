import { CheckpointError } from '../checkpoint/errors'
import type { StateDict } from '../checkpoint/tensor-data'

/**
 * GPT-2's configuration with Hugging Face's field names, as `config.json` spells them.
 * Only the fields that change the computation are required; the rest keep HF's defaults.
 */
export interface GPT2Config {
  model_type: 'gpt2'
  vocab_size: number
  /** Longest sequence (rows of `wpe`). */
  n_positions: number
  n_embd: number
  n_layer: number
  n_head: number
  /** MLP width; `null` means 4 × n_embd. */
  n_inner: number | null
  activation_function: 'gelu_new'
  layer_norm_epsilon: number
  resid_pdrop: number
  embd_pdrop: number
  attn_pdrop: number
  initializer_range: number
  bos_token_id: number
  eos_token_id: number
  /** HF's `n_ctx`, kept for compatibility (equal to n_positions). */
  n_ctx?: number
  tie_word_embeddings: boolean
  scale_attn_weights: boolean
  scale_attn_by_inverse_layer_idx: boolean
  [key: string]: unknown
}

const DEFAULTS: GPT2Config = {
  model_type: 'gpt2',
  vocab_size: 50257,
  n_positions: 1024,
  n_embd: 768,
  n_layer: 12,
  n_head: 12,
  n_inner: null,
  activation_function: 'gelu_new',
  layer_norm_epsilon: 1e-5,
  resid_pdrop: 0.1,
  embd_pdrop: 0.1,
  attn_pdrop: 0.1,
  initializer_range: 0.02,
  bos_token_id: 50256,
  eos_token_id: 50256,
  tie_word_embeddings: true,
  scale_attn_weights: true,
  scale_attn_by_inverse_layer_idx: false,
}

/** Named model sizes. `small`/`medium`/`large` are DialoGPT's (and GPT-2's) 117M/345M/762M; the tiny ones are for tests. */
export const GPT2_PRESETS = {
  small: { n_layer: 12, n_embd: 768, n_head: 12 },
  medium: { n_layer: 24, n_embd: 1024, n_head: 16 },
  large: { n_layer: 36, n_embd: 1280, n_head: 20 },
  /** The shape of the `gpt2-tiny` fixture: real vocabulary, 2 layers of 64. */
  tiny: { n_layer: 2, n_embd: 64, n_head: 4, n_positions: 64 },
  /** Even smaller, with a 512-token vocabulary slice: for fast unit tests only. */
  micro: { n_layer: 2, n_embd: 32, n_head: 2, n_positions: 64, vocab_size: 512, bos_token_id: 511, eos_token_id: 511 },
} as const satisfies Record<string, Partial<GPT2Config>>

export type GPT2Preset = keyof typeof GPT2_PRESETS

/** Thrown for a configuration that is inconsistent or that this implementation does not support. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/**
 * A complete, checked configuration from a preset name, a partial config, or a `config.json`
 * object as Hugging Face writes it (unknown fields are kept).
 */
export function gpt2Config(input: GPT2Preset | Partial<GPT2Config> = {}): GPT2Config {
  const partial = typeof input === 'string' ? GPT2_PRESETS[input] : input
  if (partial === undefined) throw new ConfigError(`unknown preset '${String(input)}'; use ${Object.keys(GPT2_PRESETS).join(', ')}`)
  const config: GPT2Config = { ...DEFAULTS, ...(partial as Partial<GPT2Config>) }
  if (config.n_positions === undefined && typeof config.n_ctx === 'number') config.n_positions = config.n_ctx
  if (config.n_inner === undefined) config.n_inner = null
  validate(config)
  return config
}

function validate(c: GPT2Config): void {
  if (c.model_type !== 'gpt2') throw new ConfigError(`model_type is '${String(c.model_type)}', only 'gpt2' is supported`)
  for (const key of ['vocab_size', 'n_positions', 'n_embd', 'n_layer', 'n_head'] as const)
    if (!Number.isInteger(c[key]) || c[key] <= 0) throw new ConfigError(`${key} must be a positive integer, got ${String(c[key])}`)
  if (c.n_inner !== null && (!Number.isInteger(c.n_inner) || c.n_inner <= 0)) throw new ConfigError(`n_inner must be null or a positive integer`)
  if (c.n_embd % c.n_head !== 0) throw new ConfigError(`n_embd (${c.n_embd}) must be divisible by n_head (${c.n_head})`)
  const activation = c.activation_function as string
  if (activation !== 'gelu_new') throw new ConfigError(`activation_function '${activation}' is not supported (GPT-2 and DialoGPT use gelu_new)`)
  if (c.scale_attn_by_inverse_layer_idx) throw new ConfigError('scale_attn_by_inverse_layer_idx is not supported')
  if (!c.scale_attn_weights) throw new ConfigError('scale_attn_weights=false is not supported')
  if (!(c.layer_norm_epsilon > 0)) throw new ConfigError('layer_norm_epsilon must be positive')
}

/** The MLP's inner width. */
export const innerSize = (c: GPT2Config) => c.n_inner ?? 4 * c.n_embd

/** Every parameter GPT-2 has, by Hugging Face name, with its shape (Conv1D weights are [in, out]). */
export function parameterShapes(c: GPT2Config): Map<string, number[]> {
  const C = c.n_embd
  const I = innerSize(c)
  const shapes = new Map<string, number[]>([
    ['transformer.wte.weight', [c.vocab_size, C]],
    ['transformer.wpe.weight', [c.n_positions, C]],
  ])
  for (let i = 0; i < c.n_layer; i++) {
    const p = `transformer.h.${i}`
    shapes.set(`${p}.ln_1.weight`, [C]).set(`${p}.ln_1.bias`, [C])
    shapes.set(`${p}.attn.c_attn.weight`, [C, 3 * C]).set(`${p}.attn.c_attn.bias`, [3 * C])
    shapes.set(`${p}.attn.c_proj.weight`, [C, C]).set(`${p}.attn.c_proj.bias`, [C])
    shapes.set(`${p}.ln_2.weight`, [C]).set(`${p}.ln_2.bias`, [C])
    shapes.set(`${p}.mlp.c_fc.weight`, [C, I]).set(`${p}.mlp.c_fc.bias`, [I])
    shapes.set(`${p}.mlp.c_proj.weight`, [I, C]).set(`${p}.mlp.c_proj.bias`, [C])
  }
  shapes.set('transformer.ln_f.weight', [C]).set('transformer.ln_f.bias', [C])
  return shapes
}

/** Head counts of the published sizes, by width; other widths assume 64-wide heads. */
const HEADS_BY_WIDTH: Record<number, number> = { 768: 12, 1024: 16, 1280: 20, 1600: 25 }

/**
 * Reads the dimensions a state dict's tensors fix (vocabulary, positions, width, depth, MLP width)
 * and fills them into `base`. Where `base` (a published `config.json`) disagrees with the
 * tensors, the tensors win and the disagreement is reported in `corrections`.
 */
export function reconcileConfig(dict: StateDict, base?: Partial<GPT2Config>): { config: GPT2Config; corrections: string[] } {
  const get = (name: string) => dict.get(`transformer.${name}`)?.shape ?? dict.get(name)?.shape
  const wte = get('wte.weight')
  const wpe = get('wpe.weight')
  if (!wte || wte.length !== 2) throw new CheckpointError('bad-tensor', 'the checkpoint has no 2-D transformer.wte.weight', { tensor: 'transformer.wte.weight' })
  if (!wpe || wpe.length !== 2) throw new CheckpointError('bad-tensor', 'the checkpoint has no 2-D transformer.wpe.weight', { tensor: 'transformer.wpe.weight' })
  let layers = 0
  for (const name of dict.keys()) {
    const m = /^(?:transformer\.)?h\.(\d+)\./.exec(name)
    if (m) layers = Math.max(layers, Number(m[1]) + 1)
  }
  const fc = get('h.0.mlp.c_fc.weight')
  const found: Partial<GPT2Config> = { vocab_size: wte[0], n_embd: wte[1], n_positions: wpe[0], n_layer: layers }
  if (fc) found.n_inner = fc[1] === 4 * wte[1]! ? null : fc[1]!
  const corrections: string[] = []
  const merged: Partial<GPT2Config> = { ...base }
  for (const [key, value] of Object.entries(found) as [keyof GPT2Config, unknown][]) {
    if (base && base[key] !== undefined && base[key] !== value && !(key === 'n_inner' && base[key] === 4 * wte[1]! && value === null))
      corrections.push(`${key}: config says ${String(base[key])}, the tensors say ${String(value)}`)
    merged[key] = value as never
  }
  if (merged.n_ctx !== undefined) merged.n_ctx = merged.n_positions
  if (merged.n_head === undefined) merged.n_head = HEADS_BY_WIDTH[wte[1]!] ?? Math.max(1, wte[1]! / 64)
  return { config: gpt2Config(merged), corrections }
}
