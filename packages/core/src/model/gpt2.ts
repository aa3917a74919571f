import * as tf from '@tensorflow/tfjs-core'
import { yieldToEventLoop, type CausalLM } from '@dialogpt/decode'
import { ConfigError, parameterShapes, type GPT2Config } from './config'
import { CheckpointError } from '../checkpoint/errors'
import { fusedGeluNew, fusedInference, fusedLayerNorm, recordingGradients } from './fused-kernels'
import { gatherRows } from './gather-rows'
import { checkModelFits } from './wasm-fit'
import type { FromPretrainedOptions } from '../load/from-pretrained'
import type { Weights } from './weights'

/** One layer's keys and values for the positions seen so far: [batch, heads, positions, head size]. */
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

/** Token ids or a mask, as a tensor or as nested arrays. */
export type IntMatrix = tf.Tensor2D | number[][]

export interface ForwardOptions {
  /**
   * 1 for real tokens, 0 for padding, over the cached positions and the new ones
   * (`[batch, cache.length + inputLength]`). Padding is marked by the mask, never by token value.
   * Default: all ones.
   */
  attentionMask?: IntMatrix
  /** Position of each new token (`[batch, inputLength]`). Default: from the mask (cumulative count of real tokens - 1), as Hugging Face does. */
  positionIds?: IntMatrix
  /** Keys and values of earlier positions (from a previous call). */
  cache?: KVCache
  /** Compute logits for the last position only (what generation needs). Default false. */
  lastOnly?: boolean
}

export interface ForwardOutput {
  /** `[batch, positions, vocab]` (positions is 1 with `lastOnly`). */
  logits: tf.Tensor3D
  /** The cache extended with this call's positions. The caller owns it: see {@link disposeCache}. */
  cache: KVCache
}

let modelCounter = 0
/** Forward calls with at most this many rows (batch × new positions) use the fused kernels. */
const FUSED_MAX_ROWS = 16
/** {@link GPT2.score} runs a forward pass over about this many positions (rows × longest row) at a time. */
const SCORE_CHUNK_TOKENS = 512
/** Single-row inference calls with at least this many new positions compute attention per head on wasm. */
const PER_HEAD_MIN_POSITIONS = 96

/**
 * GPT-2 as functional tfjs-core ops, parameters in a flat map under Hugging Face names
 * (Conv1D weights in [in, out] layout), the output head tied to `wte`, `gelu_new`, pre-LayerNorm
 * blocks. Works on any tfjs backend.
 */
export class GPT2 implements CausalLM<KVCache> {
  readonly config: GPT2Config
  /**
   * On wasm, keep a transposed copy of `wte` beside it so the output head of inference calls is an
   * untransposed product that XNNPACK runs: about 4× faster for one row (7 ms instead of 30 at the
   * 124M shape, most of a decode step), for `vocab_size × n_embd × 4` more bytes (147 MiB at 124M).
   * The copy is made on the first inference forward, rebuilt when `wte` is reassigned (training),
   * and never used while gradients are recorded. Set to false before the first call to save the memory.
   */
  headCache = true
  /**
   * On wasm, in inference calls (never while gradients are recorded): run LayerNorm and GELU as one
   * kernel each in calls of up to 16 rows (decode steps) instead of tfjs's chains of small kernels
   * (~300 fewer kernel calls, ~1.5 ms less per 124M decode step), and compute the attention of one
   * long prompt (96+ positions) as a 2-D product per head, which XNNPACK runs (a 512-token prefill
   * 7.8 s → 4.8 s). Results agree with the plain path to float32 rounding. Set to false to compare.
   */
  fusedKernels = true
  private readonly params: Map<string, tf.Variable>
  private disposed = false
  private transposedWte: { dataId: object; tensor: tf.Tensor2D } | null = null

  constructor(config: GPT2Config, weights: Weights) {
    checkModelFits(config)
    this.config = config
    const id = ++modelCounter
    this.params = new Map()
    for (const [name, shape] of parameterShapes(config)) {
      const w = weights.get(name)
      if (!w) throw new Error(`missing weight ${name}`)
      this.params.set(name, tf.tidy(() => tf.variable(tf.tensor(w.data, shape, 'float32'), true, `gpt2_${id}/${name}`)))
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

  /**
   * Loads a GPT-2 from a local directory or weight file, or from a Hub repository id
   * (`microsoft/DialoGPT-medium`), in any format {@link readStateDict} reads. The dimensions come
   * from the tensors; `config.json`, when present, supplies the rest.
   */
  static async fromPretrained(source: string, options: FromPretrainedOptions = {}): Promise<GPT2> {
    const { readPretrained } = await import('../load/from-pretrained')
    const { gpt2FromStateDict } = await import('./load')
    const files = await readPretrained(source, options)
    try {
      return gpt2FromStateDict(files.stateDict, files.config).model
    } catch (error) {
      if (error instanceof ConfigError && files.configPath) throw error.withFile(files.configPath)
      if (error instanceof CheckpointError) throw error.withFile(files.weightsPath)
      throw error
    }
  }

  /** Writes `config.json` + `model.safetensors` into `dir` (Node), loadable here and by Hugging Face transformers. */
  async save(dir: string): Promise<void> {
    this.check()
    const { saveGPT2 } = await import('./save')
    await saveGPT2(this, dir)
  }

  /** The parameters by Hugging Face name (`transformer.h.0.attn.c_attn.weight`, …). */
  parameters(): Map<string, tf.Variable> {
    this.check()
    return this.params
  }

  /** Number of parameters (the tied head counted once). */
  get numParameters(): number {
    let n = 0
    for (const v of this.params.values()) n += v.size
    return n
  }

  /** The weights as float32 arrays, by Hugging Face name (for saving). */
  async weights(): Promise<Weights> {
    this.check()
    const out: Weights = new Map()
    for (const [name, v] of this.params) out.set(name, { shape: v.shape.slice(), data: (await v.data()) as Float32Array })
    return out
  }

  /** Runs the model on `inputIds` (`[batch, positions]`), continuing from `cache` when given. */
  forward(inputIds: IntMatrix, options: ForwardOptions = {}): ForwardOutput {
    this.check()
    const c = this.config
    const ids = toInt2D(inputIds, 'inputIds')
    const [B, T] = ids.shape
    const past = options.cache?.length ?? 0
    if (options.cache && options.cache.layers.length !== c.n_layer) throw new RangeError(`cache has ${options.cache.layers.length} layers, the model ${c.n_layer}`)
    if (past + T > c.n_positions) throw new RangeError(`${past + T} positions (${past} cached + ${T} new) exceed the model's n_positions (${c.n_positions})`)
    const mask = options.attentionMask === undefined ? undefined : toIntArrays(options.attentionMask, 'attentionMask')
    if (mask && (mask.length !== B || mask.some((row) => row.length !== past + T)))
      throw new RangeError(`attentionMask must be [${B}, ${past + T}] (cached + new positions)`)
    const positions = options.positionIds !== undefined ? toIntArrays(options.positionIds, 'positionIds') : positionsFromMask(mask, B, T, past)
    if (positions.some((row) => row.length !== T || row.some((p) => p < 0 || p >= c.n_positions)))
      throw new RangeError(`positionIds must be [${B}, ${T}] with values in [0, ${c.n_positions})`)

    const result = tf.tidy(() => {
      const { hidden, keys, values } = this.transformer(ids, positions, mask, options.cache, past)
      let h = hidden
      let outPositions = T
      if (options.lastOnly) {
        h = tf.reshape(tf.slice(tf.reshape(hidden, [B, T, c.n_embd]), [0, T - 1, 0], [B, 1, c.n_embd]), [B, c.n_embd])
        outPositions = 1
      }
      const wte = this.params.get('transformer.wte.weight')!
      const wteT = this.cachedTransposedWte(wte)
      const logits = tf.reshape(wteT ? tf.matMul(h, wteT) : tiedHead(h, wte), [B, outPositions, c.vocab_size]) as tf.Tensor3D
      return { logits, keys, values }
    })
    if (inputIds !== ids) ids.dispose()
    const layers = result.keys.map((key, i) => ({ key, value: result.values[i]! }))
    return { logits: result.logits, cache: { layers, length: past + T } }
  }

  /** `wteᵀ` for the output head of an inference call on wasm (see {@link GPT2.headCache}), or null. */
  private cachedTransposedWte(wte: tf.Variable): tf.Tensor2D | null {
    if (!this.headCache || tf.getBackend() !== 'wasm') return null
    if (recordingGradients()) return null
    const dataId = (wte as unknown as { dataId: object }).dataId
    if (this.transposedWte?.dataId !== dataId) {
      this.transposedWte?.tensor.dispose()
      this.transposedWte = { dataId, tensor: tf.keep(tf.transpose(wte)) as tf.Tensor2D }
    }
    return this.transposedWte.tensor
  }

  /** The transformer stack: final-LayerNorm hidden states `[batch·positions, n_embd]` and the new keys/values. Call inside a tidy. */
  private transformer(ids: tf.Tensor2D, positions: number[][], mask: number[][] | undefined, cache: KVCache | undefined, past: number): { hidden: tf.Tensor2D; keys: tf.Tensor4D[]; values: tf.Tensor4D[] } {
    const c = this.config
    const [B, T] = ids.shape
    const H = c.n_head
    const C = c.n_embd
    const D = C / H
    const p = (name: string) => this.params.get(`transformer.${name}`)!
    // The wasm fast paths below apply to inference calls only (no gradient being recorded).
    const fastPaths = this.fusedKernels && fusedInference()
    // The single JavaScript kernels win where dispatch dominates (a few rows: decode steps), not on
    // a prefill's [64, 3072], where tfjs-wasm's Tanh beats Math.tanh per element.
    const fused = fastPaths && B * T <= FUSED_MAX_ROWS
    // Batched attention products miss XNNPACK on wasm (a scalar loop); for one long prompt, one 2-D
    // product per head is faster (-8% at 96 positions, -39% at 512; slower below ~80 positions or
    // with many rows, where the per-head calls and their operand packing cost more than they save).
    const perHead = fastPaths && B === 1 && T >= PER_HEAD_MIN_POSITIONS
    const flatIds = tf.reshape(ids, [B * T])
    let x = tf.add(embed(p('wte.weight'), flatIds), embed(p('wpe.weight'), tf.tensor1d(positions.flat(), 'int32'))) as tf.Tensor2D // [B*T, C]
    const bias = attentionBias(mask, B, T, past)
    const keys: tf.Tensor4D[] = []
    const values: tf.Tensor4D[] = []
    for (let i = 0; i < c.n_layer; i++) {
      // One tidy per layer: only the residual stream and this layer's keys/values outlive it, so the
      // peak memory is one layer's activations, not twelve (tensors a gradient needs are kept by the tape).
      const layer = tf.tidy(() => {
        const l = (name: string) => p(`h.${i}.${name}`)
        // Attention
        const h = layerNorm(x, l('ln_1.weight'), l('ln_1.bias'), c.layer_norm_epsilon, fused)
        const qkv = linear(h, l('attn.c_attn.weight'), l('attn.c_attn.bias'))
        const [q, k, v] = tf.split(qkv, 3, 1)
        const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, H, D]), [0, 2, 1, 3]) as tf.Tensor4D
        let key = heads(k!)
        let value = heads(v!)
        const cached = cache?.layers[i]
        if (cached) {
          key = tf.concat([cached.key, key], 2)
          value = tf.concat([cached.value, value], 2)
        }
        const attended = perHead
          ? attentionPerHead(heads(q!), key, value, bias, D)
          : (tf.matMul(tf.softmax(tf.add(tf.mul(tf.matMul(heads(q!), key, false, true), 1 / Math.sqrt(D)), bias)), value) as tf.Tensor4D) // [B, H, T, D]
        const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [B * T, C]) as tf.Tensor2D
        const afterAttention = tf.add(x, linear(merged, l('attn.c_proj.weight'), l('attn.c_proj.bias'))) as tf.Tensor2D
        // MLP
        const h2 = layerNorm(afterAttention, l('ln_2.weight'), l('ln_2.bias'), c.layer_norm_epsilon, fused)
        const m = geluNew(linear(h2, l('mlp.c_fc.weight'), l('mlp.c_fc.bias')), fused)
        return { x: tf.add(afterAttention, linear(m, l('mlp.c_proj.weight'), l('mlp.c_proj.bias'))) as tf.Tensor2D, key, value }
      })
      x.dispose()
      x = layer.x
      keys.push(layer.key)
      values.push(layer.value)
    }
    return { hidden: layerNorm(x, p('ln_f.weight'), p('ln_f.bias'), c.layer_norm_epsilon, fused), keys, values }
  }

  /**
   * Language-modelling loss with Hugging Face semantics: labels are shifted inside (position t
   * predicts label t+1), labels of -100 are ignored, and the loss is the mean over counted tokens.
   */
  loss(inputIds: IntMatrix, labels: IntMatrix, options: { attentionMask?: IntMatrix } = {}): tf.Scalar {
    this.check()
    const labelRows = toIntArrays(labels, 'labels')
    return tf.tidy(() => {
      const { logits, cache } = this.forward(inputIds, { attentionMask: options.attentionMask })
      disposeCache(cache)
      const [B, T, V] = logits.shape
      if (labelRows.length !== B || labelRows.some((r) => r.length !== T)) throw new RangeError(`labels must be [${B}, ${T}] like inputIds`)
      const targets: number[] = []
      const weights: number[] = []
      for (const row of labelRows)
        for (let t = 1; t < T; t++) {
          const y = row[t]!
          if (y !== -100 && (y < 0 || y >= V)) throw new RangeError(`label ${y} is outside the vocabulary [0, ${V}) (use -100 to ignore a position)`)
          targets.push(y === -100 ? 0 : y)
          weights.push(y === -100 ? 0 : 1)
        }
      const shifted = tf.reshape(tf.slice(logits, [0, 0, 0], [B, T - 1, V]), [B * (T - 1), V])
      const logp = tf.logSoftmax(shifted)
      const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(targets, 'int32'), V)), 1)
      const w = tf.tensor1d(weights)
      return tf.div(tf.neg(tf.sum(tf.mul(picked, w))), tf.sum(w)) as tf.Scalar
    })
  }

  get vocabSize(): number {
    return this.config.vocab_size
  }

  get maxPositions(): number {
    return this.config.n_positions
  }

  /** {@link CausalLM.step}: the last position's logits `[rows, vocab]` and the extended cache. */
  step(inputIds: number[][], cache: KVCache | undefined, attentionMask: number[][]): { logits: tf.Tensor2D; cache: KVCache } {
    const out = this.forward(inputIds, { cache, attentionMask, lastOnly: true })
    const logits = tf.squeeze(out.logits, [1]) as tf.Tensor2D
    out.logits.dispose()
    return { logits, cache: out.cache }
  }

  /** {@link CausalLM.reorderCache}: a new cache with the given rows (the old one is left to the caller). */
  reorderCache(cache: KVCache, rows: number[]): KVCache {
    return { layers: cache.layers.map((l) => ({ key: gatherRows(l.key, rows), value: gatherRows(l.value, rows) })), length: cache.length }
  }

  disposeCache(cache: KVCache): void {
    disposeCache(cache)
  }

  /**
   * {@link CausalLM.score}: mean negative log-likelihood (natural log) of each target given its
   * context. Rows are scored in chunks of about {@link SCORE_CHUNK_TOKENS} positions (each padded on
   * the right to its own longest row; padding is masked and never scored), with a turn of the event
   * loop between chunks, so an abort through `signal` stops a long scoring within one chunk.
   */
  async score(contextIds: number[][], targetIds: number[][], options: { signal?: AbortSignal } = {}): Promise<number[]> {
    this.check()
    if (contextIds.length !== targetIds.length || contextIds.length === 0) throw new RangeError('score() needs one target per context')
    for (const ctx of contextIds) if (ctx.length === 0) throw new RangeError('score() needs at least one context token before the target')
    const rows = contextIds.map((ctx, i) => [...ctx, ...targetIds[i]!])
    const sums: number[] = []
    for (let start = 0; start < rows.length; ) {
      let end = start + 1
      while (end < rows.length && (end + 1 - start) * Math.max(...rows.slice(start, end + 1).map((r) => r.length)) <= SCORE_CHUNK_TOKENS) end++
      sums.push(...(await this.scoreChunk(contextIds.slice(start, end), targetIds.slice(start, end))))
      start = end
      if (start < rows.length) {
        await yieldToEventLoop()
        if (options.signal?.aborted) throw options.signal.reason ?? new DOMException('scoring was aborted', 'AbortError')
      }
    }
    return sums.map((s, i) => s / targetIds[i]!.length)
  }

  /** Summed NLL of each target of one chunk of rows (one forward pass). */
  private async scoreChunk(contextIds: number[][], targetIds: number[][]): Promise<number[]> {
    const rows = contextIds.map((ctx, i) => [...ctx, ...targetIds[i]!])
    const T = Math.max(...rows.map((r) => r.length))
    const pad = this.config.eos_token_id
    const ids = rows.map((r) => [...r, ...new Array<number>(T - r.length).fill(pad)])
    const mask = rows.map((r) => [...r.map(() => 1), ...new Array<number>(T - r.length).fill(0)])
    const V = this.config.vocab_size
    // Flat positions (row, t) whose logits predict target tokens, and the token they predict.
    const rowsAt: number[] = []
    const tokens: number[] = []
    const owner: number[] = []
    contextIds.forEach((ctx, i) =>
      targetIds[i]!.forEach((token, k) => {
        rowsAt.push(i * T + ctx.length + k - 1)
        tokens.push(token)
        owner.push(i)
      }),
    )
    // Only the positions that predict a target go through the output head, a chunk of rows at a
    // time: logits for every position of 16 MMI hypotheses would take hundreds of megabytes.
    const CHUNK = 128
    const hidden = tf.tidy(() => {
      const idsTensor = tf.tensor2d(ids, [ids.length, T], 'int32')
      const out = this.transformer(idsTensor, positionsFromMask(mask, ids.length, T, 0), mask, undefined, 0)
      for (const t of [...out.keys, ...out.values]) t.dispose()
      return tf.gather(out.hidden, tf.tensor1d(rowsAt, 'int32')) as tf.Tensor2D
    })
    const parts: tf.Tensor1D[] = []
    for (let start = 0; start < rowsAt.length; start += CHUNK) {
      const n = Math.min(CHUNK, rowsAt.length - start)
      parts.push(
        tf.tidy(() => {
          const logp = tf.logSoftmax(tiedHead(tf.slice(hidden, [start, 0], [n, this.config.n_embd]), this.params.get('transformer.wte.weight')!))
          const local = tokens.slice(start, start + n).map((token, k) => k * V + token)
          return tf.gather(tf.reshape(logp, [-1]), tf.tensor1d(local, 'int32')) as tf.Tensor1D
        }),
      )
    }
    hidden.dispose()
    const picked = tf.concat(parts)
    for (const t of parts) t.dispose()
    const values = await picked.data()
    picked.dispose()
    const sums = new Array<number>(rows.length).fill(0)
    values.forEach((v, k) => (sums[owner[k]!]! -= v))
    return sums
  }

  /** Frees every parameter. The model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return
    for (const v of this.params.values()) v.dispose()
    this.transposedWte?.tensor.dispose()
    this.transposedWte = null
    this.disposed = true
  }

  private check(): void {
    if (this.disposed) throw new Error('this GPT2 has been disposed')
  }
}

/** Frees a cache's tensors. */
export function disposeCache(cache: KVCache | undefined): void {
  if (!cache) return
  for (const l of cache.layers) {
    l.key.dispose()
    l.value.dispose()
  }
}

/** Embedding lookup whose gradient is a scatter-add (no UnsortedSegmentSum, which wasm lacks). */
const embed = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [table, ids, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc]
  save([ids])
  return {
    value: tf.gather(table, ids),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const idx = saved[0]!
      return [tf.scatterND(tf.reshape(idx, [idx.size, 1]), dy as tf.Tensor, table.shape), tf.zerosLike(idx)]
    },
  }
}) as (table: tf.Tensor, ids: tf.Tensor) => tf.Tensor2D

/**
 * The output head tied to `wte`: logits = h · wteᵀ. On wasm a `transposeB` matmul misses XNNPACK
 * and runs a scalar loop, so there it is computed as (wte · hᵀ)ᵀ, which keeps the big operand
 * untransposed (1.5× faster for one row, 7× for ten, no extra memory). Other backends take the
 * transposed product directly.
 */
function tiedHead(h: tf.Tensor2D, wte: tf.Tensor): tf.Tensor2D {
  if (tf.getBackend() === 'wasm') return tf.transpose(untransposedMatMul(wte as tf.Tensor2D, tf.transpose(h))) as tf.Tensor2D
  return tf.matMul(h, wte as tf.Tensor2D, false, true)
}

/**
 * `a · b` whose gradients are also untransposed products (`dy · bᵀ` and `aᵀ · dy` with explicit
 * transposes), where tfjs's own gradient uses transpose flags. On wasm, flagged matmuls miss
 * XNNPACK and run a scalar loop: for GPT-2 training this turns the backward pass's big matmuls
 * (the tied head's above all) from the slow path into the fast one.
 */
const untransposedMatMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc]
  save([a, b])
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [x, w] = saved as [tf.Tensor2D, tf.Tensor2D]
      // The tidy frees the transposed copies at once; otherwise they would live until the whole
      // backward pass ends (tfjs runs it in one tidy): a copy of every weight matrix at the peak.
      return tf.tidy(() => [tf.matMul(dy as tf.Tensor2D, tf.transpose(w)), tf.matMul(tf.transpose(x), dy as tf.Tensor2D)])
    },
  }
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D

function linear(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  const product = tf.getBackend() === 'wasm' ? untransposedMatMul(x, weight as tf.Tensor2D) : tf.matMul(x, weight as tf.Tensor2D)
  return tf.add(product, bias)
}

function layerNorm(x: tf.Tensor2D, gain: tf.Tensor, bias: tf.Tensor, eps: number, fused: boolean): tf.Tensor2D {
  if (fused) return fusedLayerNorm(x, gain, bias, eps)
  const { mean, variance } = tf.moments(x, -1, true)
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gain), bias)
}

/** GPT-2's tanh approximation of GELU. */
function geluNew(x: tf.Tensor2D, fused: boolean): tf.Tensor2D {
  if (fused) return fusedGeluNew(x)
  const cube = tf.mul(tf.mul(x, x), x)
  const inner = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), Math.sqrt(2 / Math.PI))
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1))
}

/**
 * Attention as one untransposed 2-D product per (row, head): tfjs-wasm runs batched or transposed
 * matmuls in a scalar loop, XNNPACK only the 2-D untransposed ones.
 */
function attentionPerHead(q: tf.Tensor4D, key: tf.Tensor4D, value: tf.Tensor4D, bias: tf.Tensor4D, D: number): tf.Tensor4D {
  const [B, H, T] = q.shape
  const S = key.shape[2]
  const qs = tf.unstack(tf.reshape(tf.mul(q, 1 / Math.sqrt(D)), [B * H, T, D]))
  const ks = tf.unstack(tf.reshape(tf.transpose(key, [0, 1, 3, 2]), [B * H, D, S]))
  const scores = tf.add(tf.reshape(tf.stack(qs.map((x, i) => tf.matMul(x as tf.Tensor2D, ks[i] as tf.Tensor2D))), [B, H, T, S]), bias)
  const ps = tf.unstack(tf.reshape(tf.softmax(scores), [B * H, T, S]))
  const vs = tf.unstack(tf.reshape(value, [B * H, S, D]))
  return tf.reshape(tf.stack(ps.map((p, i) => tf.matMul(p as tf.Tensor2D, vs[i] as tf.Tensor2D))), [B, H, T, D]) as tf.Tensor4D
}

/** Additive attention bias `[B, 1, T, past+T]`: 0 where allowed, -1e9 for future or padded keys. */
function attentionBias(mask: number[][] | undefined, B: number, T: number, past: number): tf.Tensor4D {
  const S = past + T
  const data = new Float32Array(B * T * S)
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let s = 0; s < S; s++) if (s > past + t || (mask && mask[b]![s] === 0)) data[(b * T + t) * S + s] = -1e9
  return tf.tensor4d(data, [B, 1, T, S])
}

/** Positions from the mask as Hugging Face computes them: cumulative count of real tokens - 1 (padding gets 1). */
function positionsFromMask(mask: number[][] | undefined, B: number, T: number, past: number): number[][] {
  const out: number[][] = []
  for (let b = 0; b < B; b++) {
    if (!mask) {
      out.push(Array.from({ length: T }, (_, t) => past + t))
      continue
    }
    let count = 0
    const row: number[] = []
    mask[b]!.forEach((m, s) => {
      count += m
      if (s >= past) row.push(m === 0 ? 1 : count - 1)
    })
    out.push(row)
  }
  return out
}

function toInt2D(x: IntMatrix, what: string): tf.Tensor2D {
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) throw new RangeError(`${what} must be 2-D [batch, positions], got rank ${x.rank}`)
    return x.dtype === 'int32' ? x : (tf.cast(x, 'int32') as tf.Tensor2D)
  }
  const rows = toIntArrays(x, what)
  return tf.tensor2d(rows, [rows.length, rows[0]?.length ?? 0], 'int32')
}

function toIntArrays(x: IntMatrix, what: string): number[][] {
  const rows = x instanceof tf.Tensor ? (x.arraySync() as number[][]) : x
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every((r) => Array.isArray(r) && r.length === rows[0]!.length && r.length > 0))
    throw new RangeError(`${what} must be a non-empty [batch, positions] matrix of integers`)
  for (const r of rows) for (const v of r) if (!Number.isInteger(v)) throw new RangeError(`${what} must hold integers, found ${v}`)
  return rows
}

