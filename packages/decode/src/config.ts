import { EOS_TOKEN_ID } from '@dialogpt/data'
import type { CausalLM } from './causal-lm'

/**
 * Generation settings, mirroring Hugging Face's `GenerationConfig` in camelCase with the same
 * defaults (note `topK` 50, used only when `doSample`).
 */
export interface GenerationConfig {
  /** Tokens to generate at most. Default 20. */
  maxNewTokens?: number
  /** Eos is banned until this many tokens are generated. Default 0. */
  minNewTokens?: number
  /** Sample instead of taking the best token. Default false. */
  doSample?: boolean
  /** Keep the K most likely tokens when sampling (0 = off). Default 50. */
  topK?: number
  /** Keep the smallest set of tokens whose probability reaches P when sampling. Default 1 (off). */
  topP?: number
  /** Divide logits by this when sampling. Default 1. */
  temperature?: number
  /** Beam width; > 1 runs beam search. Default 1. */
  numBeams?: number
  /** Beam scores are sum of log-probs / (generated length ^ lengthPenalty). Default 1. */
  lengthPenalty?: number
  /** Beam search stopping: `true`, `false` (heuristic) or `'never'`. Default false. */
  earlyStopping?: boolean | 'never'
  /** Sequences returned per prompt (≤ numBeams for beam search; sampling draws this many). Default 1. */
  numReturnSequences?: number
  /** > 1 discourages every id already in the prompt or output. Default 1 (off). */
  repetitionPenalty?: number
  /** Never repeat an n-gram of this size. Default 0 (off). */
  noRepeatNgramSize?: number
  /** Token sequences never to generate. */
  badWordsIds?: number[][]
  /** Ends a sequence. Default 50256 (GPT-2's `<|endoftext|>`). */
  eosTokenId?: number | number[]
  /** Fills finished rows and pads batched prompts (on the left). Default: the first eos id. */
  padTokenId?: number
  /** Seed of the sampling generator: the same seed gives the same output. Default: random. */
  seed?: number
  /** Stop after this many seconds (what is generated so far is returned). */
  maxTime?: number
  /** Cancels generation: the call rejects with an `AbortError` within one step, leaking nothing. */
  signal?: AbortSignal
  /** MMI reranking (DialoGPT): sample, then rerank with a backward model. See {@link MmiConfig}. */
  mmi?: MmiConfig
  /** Greedy and sampling: record each step's scores in `GeneratedSequence.steps` (Hugging Face's `output_scores`). */
  outputScores?: boolean
}

/**
 * DialoGPT's maximum-mutual-information reranking: draw `numSamples` responses with top-K
 * sampling from the forward model (the paper's setting by default: 16 samples, top-K 10,
 * temperature 1, no top-p; the call's own `doSample`, `topK`, `topP` and `temperature` do not
 * apply, so a change to the sampling is made here, explicitly), score each by the backward model's loss of the source given
 * the response, and return the lowest. The backward model reads
 * `response + eos` then predicts `source + eos` (see {@link mmiRerank}).
 */
export interface MmiConfig {
  /** A model trained on reversed dialogues (target → source). */
  backward: CausalLM
  /** Samples to draw. Default 16 (the paper). */
  numSamples?: number
  /** Top-K of the sampling. Default 10 (the paper). */
  topK?: number
  /** Top-p of the sampling. Default 1 (off, as in the paper). */
  topP?: number
  /** Temperature of the sampling. Default 1 (as in the paper). */
  temperature?: number
  /** The source the backward model must predict. Default: the prompt without its trailing eos. */
  sourceIds?: number[]
  /**
   * How the backward model reads a hypothesis: returns the context it reads first and the target
   * it is scored on. Default {@link dialogptBackwardInput}: `hypothesis + [eos]` → `source + [eos]`.
   */
  backwardInput?: (hypothesis: readonly number[], source: readonly number[], eos: number) => { context: number[]; target: number[] }
}

/**
 * The default MMI convention (the decoder the DialoGPT README links to): the backward model reads
 * the hypothesis and eos, and is scored on the source and eos. A hypothesis's own trailing eos is
 * dropped first so it is not doubled.
 */
export function dialogptBackwardInput(hypothesis: readonly number[], source: readonly number[], eos: number): { context: number[]; target: number[] } {
  const h = hypothesis[hypothesis.length - 1] === eos ? hypothesis.slice(0, -1) : hypothesis.slice()
  return { context: [...h, eos], target: [...source, eos] }
}

/** A config with every default filled in, and checked. */
export interface ResolvedConfig extends Required<Omit<GenerationConfig, 'seed' | 'maxTime' | 'signal' | 'mmi' | 'eosTokenId' | 'outputScores'>> {
  outputScores: boolean
  eosTokenIds: number[]
  seed: number | undefined
  maxTime: number | undefined
  signal: AbortSignal | undefined
  mmi: MmiConfig | undefined
}

export class GenerationConfigError extends Error {
  override readonly name = 'GenerationConfigError'
}

/**
 * Hugging Face's `GenerationConfig` defaults (the one home of them): greedy, 20 new tokens, top-K 50
 * and top-P 1 when sampling, temperature 1, one beam, no penalties, eos 50256.
 */
export const GENERATION_DEFAULTS = {
  maxNewTokens: 20,
  minNewTokens: 0,
  doSample: false,
  topK: 50,
  topP: 1,
  temperature: 1,
  numBeams: 1,
  lengthPenalty: 1,
  earlyStopping: false,
  numReturnSequences: 1,
  repetitionPenalty: 1,
  noRepeatNgramSize: 0,
  eosTokenId: EOS_TOKEN_ID,
} as const satisfies GenerationConfig

/** Every key {@link GenerationConfig} has: anything else is refused, so a misspelt option cannot be ignored. */
const KNOWN_KEYS: ReadonlySet<string> = new Set<keyof GenerationConfig>([
  ...(Object.keys(GENERATION_DEFAULTS) as (keyof GenerationConfig)[]),
  'badWordsIds', 'padTokenId', 'seed', 'maxTime', 'signal', 'mmi', 'outputScores',
])

/** Refuses keys GenerationConfig does not have, naming the camelCase key where a snake_case one was given. */
function checkKeys(config: object): void {
  for (const key of Object.keys(config)) {
    if (KNOWN_KEYS.has(key)) continue
    const ours = HF_KEYS[key]
    if (ours) throw new GenerationConfigError(`unknown option '${key}': this library's options are camelCase, use '${ours}' (GenerationConfig.fromHF reads Hugging Face's snake_case names)`)
    throw new GenerationConfigError(`unknown option '${key}'; the options are ${[...KNOWN_KEYS].join(', ')}`)
  }
}

export function resolveConfig(config: GenerationConfig = {}): ResolvedConfig {
  checkKeys(config)
  const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as GenerationConfig
  const { eosTokenId, ...merged } = { ...GENERATION_DEFAULTS, ...given }
  const eosTokenIds = Array.isArray(eosTokenId) ? [...eosTokenId] : [eosTokenId]
  const r: ResolvedConfig = {
    badWordsIds: [],
    outputScores: false,
    seed: undefined,
    maxTime: undefined,
    signal: undefined,
    mmi: undefined,
    ...merged,
    eosTokenIds,
    padTokenId: merged.padTokenId ?? eosTokenIds[0] ?? 0,
  }
  const positiveInt = (name: keyof ResolvedConfig, min: number) => {
    const v = r[name] as number
    if (!Number.isInteger(v) || v < min) throw new GenerationConfigError(`${name} must be an integer >= ${min}, got ${String(v)}`)
  }
  positiveInt('maxNewTokens', 1)
  positiveInt('minNewTokens', 0)
  positiveInt('topK', 0)
  positiveInt('numBeams', 1)
  positiveInt('numReturnSequences', 1)
  positiveInt('noRepeatNgramSize', 0)
  if (!(r.temperature > 0)) throw new GenerationConfigError(`temperature must be > 0, got ${r.temperature}`)
  if (!(r.topP > 0 && r.topP <= 1)) throw new GenerationConfigError(`topP must be in (0, 1], got ${r.topP}`)
  if (!(r.repetitionPenalty > 0)) throw new GenerationConfigError(`repetitionPenalty must be > 0, got ${r.repetitionPenalty}`)
  if (r.earlyStopping !== true && r.earlyStopping !== false && r.earlyStopping !== 'never')
    throw new GenerationConfigError(`earlyStopping must be true, false or 'never', got ${String(r.earlyStopping)}`)
  if (r.numBeams > 1 && r.doSample) throw new GenerationConfigError('beam sampling (numBeams > 1 with doSample) is not supported')
  if (r.numBeams > 1 && r.numReturnSequences > r.numBeams) throw new GenerationConfigError(`numReturnSequences (${r.numReturnSequences}) must be <= numBeams (${r.numBeams})`)
  if (r.numBeams === 1 && !r.doSample && !r.mmi && r.numReturnSequences > 1) throw new GenerationConfigError('greedy search returns one sequence per prompt; set doSample or numBeams for more')
  if (r.maxTime !== undefined && !(r.maxTime > 0)) throw new GenerationConfigError(`maxTime must be > 0 seconds, got ${r.maxTime}`)
  return r
}

/** Hugging Face's `generation_config.json` keys and ours. */
const HF_KEYS: Record<string, keyof GenerationConfig> = {
  max_new_tokens: 'maxNewTokens',
  min_new_tokens: 'minNewTokens',
  do_sample: 'doSample',
  top_k: 'topK',
  top_p: 'topP',
  temperature: 'temperature',
  num_beams: 'numBeams',
  length_penalty: 'lengthPenalty',
  early_stopping: 'earlyStopping',
  num_return_sequences: 'numReturnSequences',
  repetition_penalty: 'repetitionPenalty',
  no_repeat_ngram_size: 'noRepeatNgramSize',
  bad_words_ids: 'badWordsIds',
  eos_token_id: 'eosTokenId',
  pad_token_id: 'padTokenId',
  max_time: 'maxTime',
}

export const GenerationConfig = {
  /**
   * Reads a `generation_config.json` object as Hugging Face writes it. `max_length` (a total
   * length) becomes `maxNewTokens` when `promptLength` is given; null values are dropped.
   */
  fromHF(json: Record<string, unknown>, promptLength?: number): GenerationConfig {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(json)) {
      const ours = HF_KEYS[key]
      if (ours && value !== null && value !== undefined) out[ours] = value
    }
    if (out.maxNewTokens === undefined && typeof json.max_length === 'number' && promptLength !== undefined) out.maxNewTokens = Math.max(1, json.max_length - promptLength)
    return out as GenerationConfig
  },
}
