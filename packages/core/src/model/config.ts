import { EOS_TOKEN_ID, GPT2_VOCAB_SIZE } from '@dialogpt/data'
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
  vocab_size: GPT2_VOCAB_SIZE,
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
  bos_token_id: EOS_TOKEN_ID,
  eos_token_id: EOS_TOKEN_ID,
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

/** Thrown for a configuration that is malformed, inconsistent, or not supported here. It names the field (and the file, when known). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(
    message: string,
    /** The offending field, when one is to blame. */
    readonly field?: string,
    /** The config file, when known. */
    readonly file?: string,
  ) {
    super(message)
  }

  /** The same error, with the file it came from named in the message. */
  withFile(file: string): ConfigError {
    if (this.file) return this
    const e = new ConfigError(`${file}: ${this.message}`, this.field, file)
    e.stack = this.stack
    return e
  }
}

/**
 * A complete, checked configuration from a preset name, a partial config, or a `config.json`
 * object as Hugging Face writes it (unknown fields are kept). Every field this implementation
 * reads is type-checked: a string where a number belongs, an out-of-range token id or a config that
 * is not an object is a {@link ConfigError} naming the field.
 */
export function gpt2Config(input: GPT2Preset | Partial<GPT2Config> = {}): GPT2Config {
  if (typeof input !== 'string' && (input === null || typeof input !== 'object' || Array.isArray(input)))
    throw new ConfigError(`a GPT-2 config must be a JSON object, got ${describeValue(input)}`)
  const partial = typeof input === 'string' ? GPT2_PRESETS[input] : input
  if (partial === undefined) throw new ConfigError(`unknown preset '${String(input)}'; use ${Object.keys(GPT2_PRESETS).join(', ')}`)
  const config: GPT2Config = { ...DEFAULTS, ...(partial as Partial<GPT2Config>) }
  if ((partial as Partial<GPT2Config>).n_positions === undefined && config.n_ctx !== undefined) config.n_positions = config.n_ctx
  if (config.n_inner === undefined) config.n_inner = null
  validate(config)
  return config
}

function describeValue(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return `an array (${JSON.stringify(v).slice(0, 40)})`
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`
}

function validate(c: GPT2Config): void {
  const bad = (field: string, want: string): never => {
    throw new ConfigError(`${field} must be ${want}, got ${describeValue(c[field])}`, field)
  }
  if (c.model_type !== 'gpt2') throw new ConfigError(`model_type is ${describeValue(c.model_type)}, only 'gpt2' is supported`, 'model_type')
  const integer = (field: string, min: number) => {
    const v = c[field]
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) bad(field, `an integer >= ${min}`)
  }
  for (const key of ['vocab_size', 'n_positions', 'n_embd', 'n_layer', 'n_head'] as const) integer(key, 1)
  if (c.n_ctx !== undefined && c.n_ctx !== null) integer('n_ctx', 1)
  if (c.n_inner !== null) integer('n_inner', 1)
  if (c.n_embd % c.n_head !== 0) throw new ConfigError(`n_embd (${c.n_embd}) must be divisible by n_head (${c.n_head})`, 'n_head')
  const number = (field: string, ok: (v: number) => boolean, want: string) => {
    const v = c[field]
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) bad(field, want)
  }
  number('layer_norm_epsilon', (v) => v > 0 && v < 1, 'a number in (0, 1)')
  number('initializer_range', (v) => v >= 0, 'a number >= 0')
  for (const key of ['resid_pdrop', 'embd_pdrop', 'attn_pdrop']) number(key, (v) => v >= 0 && v < 1, 'a probability in [0, 1)')
  for (const key of ['bos_token_id', 'eos_token_id']) {
    const v = c[key]
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v >= c.vocab_size) bad(key, `a token id in [0, ${c.vocab_size})`)
  }
  for (const key of ['tie_word_embeddings', 'scale_attn_weights', 'scale_attn_by_inverse_layer_idx']) if (typeof c[key] !== 'boolean') bad(key, 'true or false')
  if (c.activation_function !== 'gelu_new' && (c.activation_function as string) !== 'gelu_pytorch_tanh')
    throw new ConfigError(`activation_function ${describeValue(c.activation_function)} is not supported (GPT-2 and DialoGPT use gelu_new)`, 'activation_function')
  if (c.scale_attn_by_inverse_layer_idx) throw new ConfigError('scale_attn_by_inverse_layer_idx is not supported', 'scale_attn_by_inverse_layer_idx')
  if (!c.scale_attn_weights) throw new ConfigError('scale_attn_weights=false is not supported', 'scale_attn_weights')
}

/** The MLP's inner width. */
export const innerSize = (c: GPT2Config) => c.n_inner ?? 4 * c.n_embd

/** Every parameter GPT-2 has, by Hugging Face name, with its shape (Conv1D weights are [in, out]); `lm_head.weight` only when the head is untied. */
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
  if (!c.tie_word_embeddings) shapes.set('lm_head.weight', [c.vocab_size, C])
  return shapes
}

/**
 * The number of transformer blocks, from the block indices the tensors carry (`h.<i>.`). Checked
 * before anything is sized from it: every index from 0 to the highest must be present, and no
 * index can exceed the number of tensors (a block has 12), so `h.999999999.ln_1.weight` in a tiny
 * file is refused at once instead of sizing a billion layers.
 */
function layerCount(dict: StateDict): number {
  const seen = new Set<number>()
  let highest = -1
  let culprit = ''
  for (const name of dict.keys()) {
    const m = /^(?:transformer\.)?h\.(\d+)\./.exec(name)
    if (!m) continue
    const index = Number(m[1])
    if (!Number.isSafeInteger(index) || index >= dict.size)
      throw new CheckpointError('bad-tensor', `tensor '${name}' names block ${m[1]}, but the checkpoint has only ${dict.size} tensors`, { tensor: name })
    seen.add(index)
    if (index > highest) [highest, culprit] = [index, name]
  }
  for (let i = 0; i <= highest; i++)
    if (!seen.has(i)) throw new CheckpointError('missing-record', `the checkpoint has tensors of block ${highest} ('${culprit}') but none of block ${i}`, { tensor: `transformer.h.${i}` })
  return highest + 1
}

/** Head counts of the published sizes, by width; other widths assume 64-wide heads. */
const HEADS_BY_WIDTH: Record<number, number> = { 768: 12, 1024: 16, 1280: 20, 1600: 25 }

/**
 * Reads the dimensions a state dict's tensors fix (vocabulary, positions, width, depth, MLP width)
 * and fills them into `base`. Where `base` (a published `config.json`) disagrees with the
 * tensors, the tensors win and the disagreement is reported in `corrections`.
 */
export function reconcileConfig(dict: StateDict, base?: Partial<GPT2Config>): { config: GPT2Config; corrections: string[] } {
  if (base !== undefined && (base === null || typeof base !== 'object' || Array.isArray(base))) throw new ConfigError(`a GPT-2 config must be a JSON object, got ${describeValue(base)}`)
  const get = (name: string) => dict.get(`transformer.${name}`)?.shape ?? dict.get(name)?.shape
  const wte = get('wte.weight')
  const wpe = get('wpe.weight')
  if (!wte || wte.length !== 2) throw new CheckpointError('bad-tensor', 'the checkpoint has no 2-D transformer.wte.weight', { tensor: 'transformer.wte.weight' })
  if (!wpe || wpe.length !== 2) throw new CheckpointError('bad-tensor', 'the checkpoint has no 2-D transformer.wpe.weight', { tensor: 'transformer.wpe.weight' })
  const layers = layerCount(dict)
  const fc = get('h.0.mlp.c_fc.weight')
  const found: Partial<GPT2Config> = { vocab_size: wte[0], n_embd: wte[1], n_positions: wpe[0], n_layer: layers, tie_word_embeddings: !dict.has('lm_head.weight') }
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
