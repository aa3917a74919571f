import type { GenerationConfig } from '@dialogpt/decode'
import { ApiError } from './api-error'

/** A chat-completions request, checked: the dialogue and the decoding settings it asks for. */
export interface CompletionRequest {
  /** The user and assistant turns, oldest first; the last is the user's message to answer. */
  turns: string[]
  /** Only the settings the request gave (the bot's defaults fill the rest). */
  config: GenerationConfig
  n: number
  stream: boolean
  stop: string[]
  /** Whether to rerank with the server's backward model (`mmi: true`, an extra field). */
  mmi: boolean
}

/** Limits a request must keep. */
export interface RequestLimits {
  maxMessages: number
  maxN: number
  maxStop: number
}

const KNOWN = new Set(['model', 'messages', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'n', 'stop', 'seed', 'stream', 'user', 'num_beams', 'top_k', 'repetition_penalty', 'no_repeat_ngram_size', 'mmi', 'do_sample', 'min_tokens', 'length_penalty', 'stream_options', 'frequency_penalty', 'presence_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'response_format', 'tools', 'tool_choice', 'parallel_tool_calls', 'store', 'metadata', 'service_tier'])
/** OpenAI fields this server cannot honour: refused when set to anything but their neutral value, never ignored. */
const UNSUPPORTED: Record<string, (v: unknown) => boolean> = {
  frequency_penalty: (v) => v === 0,
  presence_penalty: (v) => v === 0,
  logit_bias: (v) => v === null || (typeof v === 'object' && Object.keys(v as object).length === 0),
  logprobs: (v) => v === false,
  top_logprobs: (v) => v === 0,
  response_format: (v) => (v as { type?: string })?.type === 'text',
  tools: (v) => Array.isArray(v) && v.length === 0,
  tool_choice: (v) => v === 'none',
}

/**
 * Reads an OpenAI chat-completions body into a {@link CompletionRequest}. Every field is checked,
 * and an error names it (`param`): a DialoGPT model knows only the words of the dialogue, so
 * `system` messages are refused rather than silently dropped, and unknown fields are refused.
 * Sampling follows OpenAI's rule: `temperature: 0` is greedy; otherwise the request samples.
 */
export function parseCompletionRequest(body: unknown, limits: RequestLimits): CompletionRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'the request body must be a JSON object')
  const b = body as Record<string, unknown>
  for (const key of Object.keys(b)) {
    if (!KNOWN.has(key)) throw new ApiError(400, `unknown field '${key}'`, key)
    const neutral = UNSUPPORTED[key]
    if (neutral && b[key] !== undefined && b[key] !== null && !neutral(b[key])) throw new ApiError(400, `'${key}' is not supported by this server`, key)
  }
  const messages = b.messages
  if (!Array.isArray(messages) || messages.length === 0) throw new ApiError(400, "'messages' must be a non-empty array", 'messages')
  if (messages.length > limits.maxMessages) throw new ApiError(400, `'messages' has ${messages.length} entries; this server takes at most ${limits.maxMessages}`, 'messages')
  const turns: string[] = []
  messages.forEach((m: unknown, i: number) => {
    const msg = m as { role?: unknown; content?: unknown }
    if (msg === null || typeof msg !== 'object') throw new ApiError(400, `messages[${i}] must be an object`, `messages[${i}]`)
    if (msg.role !== 'user' && msg.role !== 'assistant')
      throw new ApiError(400, `messages[${i}].role is ${JSON.stringify(msg.role)}: DialoGPT takes 'user' and 'assistant' turns only (it has no system prompt)`, `messages[${i}].role`)
    const content = typeof msg.content === 'string' ? msg.content : Array.isArray(msg.content) && msg.content.every((p) => (p as { type?: unknown }).type === 'text') ? msg.content.map((p) => (p as { text: string }).text).join('') : undefined
    if (content === undefined) throw new ApiError(400, `messages[${i}].content must be text`, `messages[${i}].content`)
    turns.push(content)
  })
  if ((messages[messages.length - 1] as { role: string }).role !== 'user') throw new ApiError(400, 'the last message must be the user\'s (the one to answer)', `messages[${messages.length - 1}].role`)

  const int = (key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    const v = b[key]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ApiError(400, `'${key}' must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`, key)
    return v
  }
  const num = (key: string, ok: (v: number) => boolean, want: string): number | undefined => {
    const v = b[key]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new ApiError(400, `'${key}' must be ${want}, got ${JSON.stringify(v)}`, key)
    return v
  }
  const bool = (key: string): boolean | undefined => {
    const v = b[key]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'boolean') throw new ApiError(400, `'${key}' must be true or false`, key)
    return v
  }
  const stopField = b.stop
  const stop = stopField === undefined || stopField === null ? [] : typeof stopField === 'string' ? [stopField] : stopField
  if (!Array.isArray(stop) || stop.length > limits.maxStop || !stop.every((s) => typeof s === 'string' && s.length > 0))
    throw new ApiError(400, `'stop' must be a non-empty string or up to ${limits.maxStop} of them`, 'stop')

  const temperature = num('temperature', (v) => v >= 0 && v <= 2, 'a number from 0 to 2')
  const numBeams = int('num_beams', 1, 32)
  const doSample = bool('do_sample') ?? (temperature === undefined ? undefined : temperature > 0 && (numBeams ?? 1) === 1)
  const n = int('n', 1, limits.maxN) ?? 1
  const config: GenerationConfig = {
    maxNewTokens: int('max_completion_tokens', 1) ?? int('max_tokens', 1),
    minNewTokens: int('min_tokens', 0),
    doSample,
    temperature: temperature !== undefined && temperature > 0 ? temperature : undefined,
    topP: num('top_p', (v) => v > 0 && v <= 1, 'a number in (0, 1]'),
    topK: int('top_k', 0),
    numBeams,
    lengthPenalty: num('length_penalty', () => true, 'a number'),
    repetitionPenalty: num('repetition_penalty', (v) => v > 0, 'a positive number'),
    noRepeatNgramSize: int('no_repeat_ngram_size', 0),
    seed: int('seed', 0),
    numReturnSequences: n > 1 ? n : undefined,
  }
  for (const key of Object.keys(config) as (keyof GenerationConfig)[]) if (config[key] === undefined) delete config[key]
  const stream = bool('stream') ?? false
  if (stream && n > 1) throw new ApiError(400, "'n' > 1 with 'stream' is not supported: ask for one streamed choice, or n choices without streaming", 'n')
  return { turns, config, n, stream, stop, mmi: bool('mmi') ?? false }
}
