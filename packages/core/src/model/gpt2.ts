import * as tf from '@tensorflow/tfjs-core'
import { attentionBias, positionsFromMask, toInt2D, toIntArrays, type IntMatrix } from './attention-mask'
import { parameterShapes, type GPT2Config } from './config'
import { kernelsFor, registeredKernels } from './kernel-registry'
import { dropoutSites, type DropoutSite } from './dropout-sites'
import { attention, dropout, embed, geluNew, layerNorm, linear, sparseNll, takeRows, tiedHead, type Dropout, type LinearWeight } from './ops'
import { prepareStateDict, type Weights } from './weights'
import type { StateDict } from '../checkpoint/tensor-data'
import { QuantizationError } from '../quant/quantization-error'
import type { QuantizedMatrix } from '../quant/quantized-matrix'
import { dequantizeWeight, isQuantizable, QUANTIZATION_METADATA_KEY, quantizedStateDict, quantizeWeight, type WeightDType } from '../quant/quantized-state-dict'

export type { IntMatrix } from './attention-mask'

/** One layer's keys and values for the positions seen so far: `[batch, heads, positions, head size]`. */
export interface LayerCache {
  key: tf.Tensor4D
  value: tf.Tensor4D
}

/** The key/value cache: with it, each new token costs one position instead of the whole prefix. */
export interface KVCache {
  layers: LayerCache[]
  /** Positions already in the cache. */
  length: number
}

export interface ForwardOptions {
  /**
   * 1 for real tokens, 0 for padding, over the cached positions and the new ones
   * (`[batch, cache.length + inputLength]`). Padding is marked by the mask, never by token value.
   * Default: all ones.
   */
  attentionMask?: IntMatrix
  /** Position of each new token (`[batch, inputLength]`). Default: from the mask, as Hugging Face does. */
  positionIds?: IntMatrix
  /** Keys and values of earlier positions (from a previous call). */
  cache?: KVCache
  /** Compute logits for the last position only (what generation needs). Default false. */
  lastOnly?: boolean
  /**
   * Training only: apply the config's dropout (`embd_pdrop` after the embeddings, `attn_pdrop` on
   * the attention probabilities, `resid_pdrop` on each block's two outputs) with masks seeded from
   * this number, so the same seed gives the same masks. Without it (evaluation, generation) there
   * is no dropout.
   */
  dropoutSeed?: number
}

export interface ForwardOutput {
  /** `[batch, positions, vocab]` (positions is 1 with `lastOnly`). */
  logits: tf.Tensor3D
  /** The cache extended with this call's positions. The caller owns it: see {@link disposeCache}. */
  cache: KVCache
}

/** The inputs of one forward pass, checked: ids `[B, T]`, positions, mask and the cache to extend. */
export interface PreparedInput {
  ids: tf.Tensor2D
  positions: number[][]
  mask: number[][] | undefined
  cache: KVCache | undefined
  dropoutSeed: number | undefined
}

/** One block's parameters. Linear weights are `[in, out]` (GPT-2's Conv1D layout) or quantized. */
interface Block {
  ln1: [tf.Tensor1D, tf.Tensor1D]
  attn: { qkv: [LinearWeight, tf.Tensor1D]; proj: [LinearWeight, tf.Tensor1D] }
  ln2: [tf.Tensor1D, tf.Tensor1D]
  mlp: { fc: [LinearWeight, tf.Tensor1D]; proj: [LinearWeight, tf.Tensor1D] }
}

/** What a block needs besides its parameters. */
interface BlockContext {
  B: number
  T: number
  bias: tf.Tensor4D
  past?: LayerCache
  /** The dropout of each site in this block; absent outside training. */
  drop?: (site: DropoutSite) => Dropout | undefined
}

let modelCounter = 0

/**
 * GPT-2 as tfjs-core ops: token and position embeddings, `n_layer` pre-LayerNorm blocks (causal
 * self-attention, then an MLP with GPT-2's tanh GELU), a final LayerNorm, and an output head tied to
 * the token embedding. Parameters are `tf.Variable`s under Hugging Face's names, so every
 * checkpoint format maps onto them name for name. Works on any tfjs backend; backends make it fast
 * by registering kernels for the operations in `ops.ts`, never by branching here. The weight
 * matrices may be held in 8 or 16 bits instead ({@link GPT2.dtype}): then they are
 * {@link QuantizedMatrix}es, not variables, and the model runs inference only.
 */
export class GPT2 {
  readonly config: GPT2Config
  /** How the weight matrices are held: `'fp32'` (variables, trainable), `'f16'` or `'q8'`. */
  readonly dtype: WeightDType
  private readonly params = new Map<string, tf.Variable>()
  private readonly quantized: ReadonlyMap<string, QuantizedMatrix>
  private readonly blocks: Block[]
  private disposed = false

  /**
   * A GPT-2 from float32 `weights` by Hugging Face name; the names in `quantized` are held in 8 or
   * 16 bits instead (the model takes ownership of them and frees them in {@link GPT2.dispose}).
   */
  constructor(config: GPT2Config, weights: Weights, quantized: ReadonlyMap<string, QuantizedMatrix> = new Map()) {
    kernelsFor()?.checkModel?.(config, new Set(quantized.keys()))
    this.config = config
    this.quantized = quantized
    const dtypes = new Set([...quantized.values()].map((q) => q.dtype))
    if (dtypes.size > 1) throw new QuantizationError('dtype-mismatch', `a GPT-2's matrices must share one dtype, got ${[...dtypes].join(' and ')}`)
    this.dtype = [...dtypes][0] ?? 'fp32'
    const id = ++modelCounter
    for (const [name, shape] of parameterShapes(config)) {
      if (quantized.has(name)) continue
      const w = weights.get(name)
      if (!w) throw new Error(`missing weight ${name}`)
      this.params.set(name, tf.tidy(() => tf.variable(tf.tensor(w.data, shape, 'float32'), true, `gpt2_${id}/${name}`)))
    }
    const p = <T extends LinearWeight | tf.Tensor>(name: string) => this.weight(`transformer.${name}`) as unknown as T
    this.blocks = Array.from({ length: config.n_layer }, (_, i) => {
      const pair = <W extends LinearWeight | tf.Tensor>(name: string): [W, tf.Tensor1D] => [p<W>(`h.${i}.${name}.weight`), p<tf.Tensor1D>(`h.${i}.${name}.bias`)]
      return { ln1: pair('ln_1'), attn: { qkv: pair('attn.c_attn'), proj: pair('attn.c_proj') }, ln2: pair('ln_2'), mlp: { fc: pair('mlp.c_fc'), proj: pair('mlp.c_proj') } }
    })
  }

  /** A GPT-2 from a state dict (any checkpoint format): dimensions from the tensors, the rest from `config` (the tensors win where they disagree). */
  static fromStateDict(dict: StateDict, config?: Partial<GPT2Config>, options: { dtype?: WeightDType } = {}): GPT2 {
    return GPT2.loadStateDict(dict, config, options.dtype).model
  }

  /**
   * {@link GPT2.fromStateDict}, with what loading changed or inferred. The matrices are held as
   * `dtype`: a quantized checkpoint's q8 matrices are taken as they are, float ones quantized as
   * they load. Without `dtype` the model is what the checkpoint holds (q8; f16 when `config.json`
   * says so; else fp32). Frees what it made when it fails.
   */
  static loadStateDict(dict: StateDict, config?: Partial<GPT2Config>, dtype?: WeightDType): { model: GPT2; notes: string[] } {
    const { dict: plain, quantized } = quantizedStateDict(dict)
    try {
      const prepared = prepareStateDict(plain, config)
      const stored = (config as Record<string, unknown> | undefined)?.[QUANTIZATION_METADATA_KEY]
      const model = GPT2.withDType(prepared.config, prepared.weights, quantized, dtype ?? (stored === 'f16' ? 'f16' : undefined))
      const notes = model.dtype === 'fp32' || quantized.size > 0 ? prepared.notes : [...prepared.notes, `weight matrices quantized to ${model.dtype} as they loaded`]
      return { model, notes }
    } catch (error) {
      for (const q of quantized.values()) q.dispose()
      throw error
    }
  }

  /**
   * A GPT-2 whose weight matrices are `dtype`: the ones already in `quantized` (from a quantized
   * checkpoint) are kept, the float32 ones quantized (`'fp32'`: all float32, quantized ones
   * dequantized exactly). Frees what it made when it fails.
   */
  static withDType(config: GPT2Config, weights: Weights, quantized: ReadonlyMap<string, QuantizedMatrix>, dtype: WeightDType | undefined): GPT2 {
    const target = dtype ?? [...quantized.values()][0]?.dtype ?? 'fp32'
    const made = new Map<string, QuantizedMatrix>()
    try {
      const all = new Map(quantized)
      if (target === 'fp32') {
        for (const [name, q] of quantized) weights.set(name, dequantizeWeight(name, q))
        all.clear()
      } else
        for (const [name, w] of weights) {
          if (!isQuantizable(name) || quantized.has(name)) continue
          const m = quantizeWeight(name, w, target)
          made.set(name, m)
          all.set(name, m)
        }
      for (const [name, q] of all)
        if (q.dtype !== target) throw new QuantizationError('dtype-mismatch', `'${name}' is stored as ${q.dtype}; it cannot be held as ${target} without rounding it again (quantize the original float checkpoint to ${target} instead)`, name)
      const model = new GPT2(config, weights, all)
      if (target === 'fp32') for (const q of quantized.values()) q.dispose()
      return model
    } catch (error) {
      for (const q of made.values()) q.dispose()
      throw error
    }
  }

  /**
   * A randomly initialised GPT-2 (GPT-2's scheme: N(0, initializer_range), residual projections
   * scaled by 1/√(2·n_layer), LayerNorm gains 1 and biases 0), for training from scratch.
   */
  static random(config: GPT2Config, seed = 0): GPT2 {
    const weights: Weights = new Map()
    let s = seed
    for (const [name, shape] of parameterShapes(config)) {
      const n = shape.reduce((a, b) => a * b, 1)
      let data: Float32Array
      if (name.includes('.ln_') || name.includes('ln_f')) data = new Float32Array(n).fill(name.endsWith('weight') ? 1 : 0)
      else if (name.endsWith('.bias')) data = new Float32Array(n)
      else {
        const std = config.initializer_range / (name.endsWith('c_proj.weight') ? Math.sqrt(2 * config.n_layer) : 1)
        const t = tf.randomNormal(shape, 0, std, 'float32', s++)
        data = t.dataSync() as Float32Array
        t.dispose()
      }
      weights.set(name, { shape, data })
    }
    return new GPT2(config, weights)
  }

  /** The float32 parameters by Hugging Face name (`transformer.h.0.attn.c_attn.weight`, …): all of them unless the model is quantized. */
  parameters(): Map<string, tf.Variable> {
    this.check()
    return this.params
  }

  /** The matrices held in 8 or 16 bits, by Hugging Face name (empty for an fp32 model). */
  quantizedMatrices(): ReadonlyMap<string, QuantizedMatrix> {
    this.check()
    return this.quantized
  }

  /** Number of parameters (the tied head counted once). */
  get numParameters(): number {
    let n = 0
    for (const v of this.params.values()) n += v.size
    for (const q of this.quantized.values()) n += q.outFeatures * q.inFeatures
    return n
  }

  /** Bytes the weights take: float32 parameters in the tfjs backend, quantized matrices in the kernels' memory. */
  get weightBytes(): number {
    let n = 0
    for (const v of this.params.values()) n += 4 * v.size
    for (const q of this.quantized.values()) n += q.byteLength
    return n
  }

  /**
   * The weights as float32 arrays, by Hugging Face name (for saving). A quantized model refuses:
   * its float32 weights are gone (save it with `saveQuantized`, or keep the original checkpoint).
   */
  async weights(): Promise<Weights> {
    if (this.dtype !== 'fp32') throw new QuantizationError('not-float', `this GPT-2 holds its matrices as ${this.dtype}: it has no float32 weights to train or export (saveGPT2 writes it as a ${this.dtype} checkpoint; load the float checkpoint for the rest)`)
    return this.floatWeights()
  }

  /** The float32 parameters' values by Hugging Face name: every weight of an fp32 model, the ones not quantized of a quantized one. */
  async floatWeights(): Promise<Weights> {
    this.check()
    const out: Weights = new Map()
    for (const [name, v] of this.params) out.set(name, { shape: v.shape.slice(), data: (await v.data()) as Float32Array })
    return out
  }

  /** Logits for `inputIds` (`[batch, positions]`), continuing from `options.cache` when given. */
  forward(inputIds: IntMatrix, options: ForwardOptions = {}): ForwardOutput {
    const input = this.prepare(inputIds, options)
    const [B, T] = input.ids.shape
    const out = tf.tidy(() => {
      const { hidden, cache } = this.hiddenStates(input) // [B·T, C]
      const h = options.lastOnly ? lastPositions(hidden, B, T) : hidden
      const logits = tf.reshape(this.head(h), [B, options.lastOnly ? 1 : T, this.config.vocab_size]) as tf.Tensor3D
      return { logits, keys: cache.layers.map((l) => l.key), values: cache.layers.map((l) => l.value), length: cache.length }
    })
    if (input.ids !== inputIds) input.ids.dispose()
    return { logits: out.logits, cache: { layers: out.keys.map((key, i) => ({ key, value: out.values[i]! })), length: out.length } }
  }

  /** Checks and converts the inputs of a forward pass (shapes, positions within `n_positions`, the cache's depth). */
  prepare(inputIds: IntMatrix, options: Omit<ForwardOptions, 'lastOnly'> = {}): PreparedInput {
    this.check()
    const c = this.config
    const ids = toInt2D(inputIds, 'inputIds')
    const [B, T] = ids.shape
    const past = options.cache?.length ?? 0
    if (options.cache && options.cache.layers.length !== c.n_layer) throw new RangeError(`cache has ${options.cache.layers.length} layers, the model ${c.n_layer}`)
    if (past + T > c.n_positions) throw new RangeError(`${past + T} positions (${past} cached + ${T} new) exceed the model's n_positions (${c.n_positions})`)
    const mask = options.attentionMask === undefined ? undefined : toIntArrays(options.attentionMask, 'attentionMask')
    if (mask && (mask.length !== B || mask.some((row) => row.length !== past + T))) throw new RangeError(`attentionMask must be [${B}, ${past + T}] (cached + new positions)`)
    const positions = options.positionIds !== undefined ? toIntArrays(options.positionIds, 'positionIds') : positionsFromMask(mask, B, T, past)
    if (positions.some((row) => row.length !== T || row.some((p) => p < 0 || p >= c.n_positions))) throw new RangeError(`positionIds must be [${B}, ${T}] with values in [0, ${c.n_positions})`)
    if (options.dropoutSeed !== undefined && !Number.isSafeInteger(options.dropoutSeed)) throw new RangeError(`dropoutSeed must be an integer, got ${options.dropoutSeed}`)
    return { ids, positions, mask, cache: options.cache, dropoutSeed: options.dropoutSeed }
  }

  /**
   * The transformer without its head: final-LayerNorm hidden states `[B·T, C]` and the extended
   * cache. Call inside a `tf.tidy` (the cache's tensors are returned from it).
   */
  hiddenStates({ ids, positions, mask, cache, dropoutSeed }: PreparedInput): { hidden: tf.Tensor2D; cache: KVCache } {
    const [B, T] = ids.shape
    const past = cache?.length ?? 0
    const wte = this.weight('transformer.wte.weight')
    const wpe = this.param<tf.Tensor2D>('wpe.weight')
    const drop = dropoutSites(this.config, dropoutSeed)
    let x = tf.add(embed(wte, tf.reshape(ids, [B * T])), takeRows(wpe, tf.tensor1d(positions.flat(), 'int32'))) as tf.Tensor2D // [B·T, C]
    x = dropout(x, drop?.(-1, 'embd'))
    const bias = attentionBias(mask, B, T, past) // [B, 1, T, past+T]
    const layers: LayerCache[] = []
    for (const [i, block] of this.blocks.entries()) {
      // One tidy per block: only the residual stream and this block's keys and values outlive it.
      const out = tf.tidy(() => this.block(x, block, { B, T, bias, past: cache?.layers[i], drop: drop && ((site: DropoutSite) => drop(i, site)) }))
      x.dispose()
      x = out.x
      layers.push({ key: out.key, value: out.value })
    }
    const [g, b] = [this.param<tf.Tensor1D>('ln_f.weight'), this.param<tf.Tensor1D>('ln_f.bias')]
    return { hidden: layerNorm(x, g, b, this.config.layer_norm_epsilon), cache: { layers, length: past + T } }
  }

  /** The output head, tied to the token embedding unless the checkpoint has its own `lm_head.weight`: hidden states `[N, C]` → logits `[N, vocab]`. */
  head(hidden: tf.Tensor2D): tf.Tensor2D {
    const untied = this.quantized.get('lm_head.weight') ?? (this.params.get('lm_head.weight') as tf.Tensor2D | undefined)
    return tiedHead(hidden, untied ?? this.weight('transformer.wte.weight'))
  }

  /** A pre-LayerNorm block: `x + attn(ln_1(x))`, then `+ mlp(ln_2(x))`. `[B·T, C]` → `[B·T, C]`, and this block's keys and values. */
  private block(x: tf.Tensor2D, p: Block, ctx: BlockContext): { x: tf.Tensor2D; key: tf.Tensor4D; value: tf.Tensor4D } {
    const eps = this.config.layer_norm_epsilon
    const { y, key, value } = this.selfAttention(layerNorm(x, ...p.ln1, eps), p.attn, ctx)
    const afterAttention = tf.add(x, dropout(y, ctx.drop?.('attn-out'))) as tf.Tensor2D
    const m = this.mlp(layerNorm(afterAttention, ...p.ln2, eps), p.mlp)
    return { x: tf.add(afterAttention, dropout(m, ctx.drop?.('mlp-out'))) as tf.Tensor2D, key, value }
  }

  /** Causal self-attention over the cached and new positions. `[B·T, C]` → `[B·T, C]`. */
  private selfAttention(x: tf.Tensor2D, p: Block['attn'], { B, T, bias, past, drop }: BlockContext): { y: tf.Tensor2D; key: tf.Tensor4D; value: tf.Tensor4D } {
    const { n_embd: C, n_head: H } = this.config
    const D = C / H
    const [q, k, v] = tf.split(linear(x, ...p.qkv), 3, 1) // 3 × [B·T, C]
    const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, H, D]), [0, 2, 1, 3]) as tf.Tensor4D // [B, H, T, D]
    const key = past ? (tf.concat([past.key, heads(k!)], 2) as tf.Tensor4D) : heads(k!) // [B, H, past+T, D]
    const value = past ? (tf.concat([past.value, heads(v!)], 2) as tf.Tensor4D) : heads(v!)
    const attended = attention(heads(q!), key, value, bias, 1 / Math.sqrt(D), drop?.('attn-probs')) // [B, H, T, D]
    const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [B * T, C]) as tf.Tensor2D // [B·T, C]
    return { y: linear(merged, ...p.proj), key, value }
  }

  /** The MLP: `c_proj(gelu(c_fc(x)))`, through a hidden width of `n_inner` (4·C). `[B·T, C]` → `[B·T, C]`. */
  private mlp(x: tf.Tensor2D, p: Block['mlp']): tf.Tensor2D {
    return linear(geluNew(linear(x, ...p.fc)), ...p.proj) // [B·T, n_inner] in between
  }

  /**
   * Language-modelling loss with Hugging Face semantics: labels are shifted inside (position t
   * predicts label t+1), labels of -100 are ignored, and the loss is the mean over counted tokens.
   */
  loss(inputIds: IntMatrix, labels: IntMatrix, options: { attentionMask?: IntMatrix } = {}): tf.Scalar {
    const rows = toIntArrays(labels, 'labels')
    const input = this.prepare(inputIds, { attentionMask: options.attentionMask })
    const [B, T] = input.ids.shape
    if (rows.length !== B || rows.some((r) => r.length !== T)) throw new RangeError(`labels must be [${B}, ${T}] like inputIds`)
    const at: number[] = []
    const targets: number[] = []
    rows.forEach((row, b) => {
      for (let t = 1; t < T; t++) {
        if (row[t] === -100) continue
        at.push(b * T + t - 1)
        targets.push(row[t]!)
      }
    })
    const loss = tf.tidy(() => tf.mean(this.positionNll(input, at, targets)) as tf.Scalar)
    if (input.ids !== inputIds) input.ids.dispose()
    return loss
  }

  /** The NLL of `targets[k]` at flat position `at[k]` (`b·T + t`): only those positions go through the head. Call inside a tidy. */
  positionNll(input: PreparedInput, at: readonly number[], targets: readonly number[]): tf.Tensor1D {
    const { hidden, cache } = this.hiddenStates(input)
    disposeCache(cache)
    const picked = takeRows(hidden, tf.tensor1d(at as number[], 'int32')) // [N, C]
    return sparseNll(this.head(picked), targets)
  }

  /** Frees every parameter (and what registered kernels keep for them). The model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return
    for (const kernels of registeredKernels().values()) kernels.release?.(this.params.values())
    for (const v of this.params.values()) v.dispose()
    for (const q of this.quantized.values()) q.dispose()
    this.disposed = true
  }

  private param<T extends tf.Tensor>(name: string): T {
    return this.params.get(`transformer.${name}`)! as unknown as T
  }

  /** A parameter by full name, float32 or quantized. */
  private weight(name: string): LinearWeight {
    return this.quantized.get(name) ?? (this.params.get(name)! as unknown as tf.Tensor2D)
  }

  private check(): void {
    if (this.disposed) throw new Error('this GPT2 has been disposed')
  }
}

/** The rows of the last position of each sequence: `[B·T, C]` → `[B, C]`. */
function lastPositions(hidden: tf.Tensor2D, B: number, T: number): tf.Tensor2D {
  const C = hidden.shape[1]
  return tf.reshape(tf.slice(tf.reshape(hidden, [B, T, C]), [0, T - 1, 0], [B, 1, C]), [B, C])
}

/** Frees a cache's tensors. */
export function disposeCache(cache: KVCache | undefined): void {
  if (!cache) return
  for (const l of cache.layers) {
    l.key.dispose()
    l.value.dispose()
  }
}
