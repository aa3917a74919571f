import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import Fastify, { type FastifyInstance } from 'fastify'
import { ConversationCache, firstStop, ReplyText, type DialoGPT } from '@dialogpt/core'
import { generate, GENERATION_DEFAULTS, GenerationConfigError, type CausalLM, type FinishReason as DecodeFinish, type GeneratedSequence, type GenerationConfig } from '@dialogpt/decode'
import { Scheduler } from './scheduler'
import { ApiError } from './api-error'
import { hasApiKey } from './api-key'
import { parseCompletionRequest, type CompletionRequest } from './completion-request'

/** What {@link createServer} serves, and its limits. */
export interface ServeOptions {
  /** The model and its tokenizer, chat defaults, generation config and block list. */
  bot: DialoGPT
  /** The name `/v1/models` reports and responses carry. Default `'dialogpt'`. */
  modelId?: string
  /** Settings over the bot's for every request, under each request's own (the CLI's decoding flags). */
  generation?: GenerationConfig
  /** A backward model: requests may then ask for MMI reranking (`"mmi": true`). */
  backward?: CausalLM
  /** When set, every `/v1` request needs `Authorization: Bearer <apiKey>` (compared in constant time). */
  apiKey?: string
  /** Requests that may wait while one generates; more are refused with 503 and `Retry-After`. Default 16. */
  maxWaiting?: number
  /** `Retry-After` of a refusal, in seconds. Default 2. */
  retryAfterSeconds?: number
  /** Largest request body, in bytes. Default 1 MiB. */
  bodyLimit?: number
  /** Most messages in one request. Default 256. */
  maxMessages?: number
  /** Most choices (`n`) in one request. Default 8. */
  maxN?: number
  /** Most requests decoded together in one batch (one forward per step for all of them). Default 8; 1 turns batching off. */
  maxBatch?: number
}

/** How a choice ended, in OpenAI's words. */
type FinishReason = 'stop' | 'length' | 'content_filter'

type Choice = { index: number; text: string; finish: FinishReason; tokens: number }

const FINISH: Record<DecodeFinish, FinishReason> = { eos: 'stop', max_length: 'length', max_time: 'length', filtered: 'content_filter' }

/**
 * An OpenAI-compatible chat-completions server for a DialoGPT, on Fastify: `POST
 * /v1/chat/completions` (plain, or streamed as server-sent events), `GET /v1/models` and `GET
 * /health`. Requests that wait together are decoded together (one forward per step for all of
 * them, each with its own settings and seed), batches one after another, with a bounded queue; a
 * client that goes away stops its generation within a step. Bind it yourself (`listen({ host: '127.0.0.1' })`)
 * or use `dialogpt serve`.
 *
 * Fastify, because it is the most used well-kept Node framework with what this needs built in:
 * body-size limits and JSON parsing with typed errors, per-route hooks for the API key, an
 * `inject` for tests, and direct access to the response for server-sent events.
 */
export function createServer(options: ServeOptions): FastifyInstance {
  const { bot } = options
  const modelId = options.modelId ?? 'dialogpt'
  // A chat API's client sends the whole conversation with each turn: the keys and values of the
  // last conversation decoded alone are kept, so its next turn computes only what is new
  // (requests decoded together in a batch pass through). Freed when the server closes.
  const lm = new ConversationCache(bot.lm)
  const scheduler = new Scheduler(lm, options.maxWaiting ?? 16, options.retryAfterSeconds ?? 2, options.maxBatch ?? 8)
  const limits = { maxMessages: options.maxMessages ?? 256, maxN: options.maxN ?? 8, maxStop: 4 }
  const created = Math.floor(Date.now() / 1000)
  const app = Fastify({ bodyLimit: options.bodyLimit ?? 2 ** 20, logger: false })

  app.setErrorHandler((error, _request, reply) => {
    const e = error as Error & { code?: string; statusCode?: number }
    const api =
      e instanceof ApiError
        ? e
        : e.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? new ApiError(400, `the request body is larger than ${app.initialConfig.bodyLimit} bytes`, null, 'invalid_request_error', 'body_too_large')
          : e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? new ApiError(400, 'the request body must be JSON (Content-Type: application/json)')
            : e instanceof GenerationConfigError
              ? new ApiError(400, e.message)
              : e.statusCode === 400 || e instanceof SyntaxError
                ? new ApiError(400, `the request body is not valid JSON: ${e.message}`, null, 'invalid_request_error', 'invalid_json')
                : new ApiError(500, `internal error: ${e.message}`)
    if (api.status === 503) void reply.header('retry-after', String(scheduler.retryAfterSeconds))
    void reply.status(api.status).send(api.body())
  })
  app.setNotFoundHandler((request, reply) => void reply.status(404).send(new ApiError(404, `no route ${request.method} ${request.url}`).body()))

  app.addHook('onRequest', async (request) => {
    if (options.apiKey !== undefined && request.url.startsWith('/v1/') && !hasApiKey(request.headers.authorization, options.apiKey))
      throw new ApiError(401, 'a valid API key is required (Authorization: Bearer <key>)', null, 'authentication_error', 'invalid_api_key')
  })

  app.get('/health', async () => ({ status: 'ok', model: modelId, ...scheduler.state, cachedPositions: lm.heldPositions }))
  app.addHook('onClose', async () => lm.forget())
  app.get('/v1/models', async () => ({ object: 'list', data: [{ id: modelId, object: 'model', created, owned_by: 'dialogpt' }] }))

  app.post('/v1/chat/completions', async (request, reply) => {
    const req = parseCompletionRequest(request.body, limits)
    const { config, prompt } = prepare(req)
    // A client that goes away before its answer is complete stops the generation (within a step) or leaves the queue.
    const controller = new AbortController()
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) controller.abort()
    })
    const id = `chatcmpl-${randomUUID()}`
    const base = { id, created: Math.floor(Date.now() / 1000), model: modelId }
    const call = { ...config, signal: controller.signal }
    const batchable = (config.numBeams ?? 1) === 1 && !config.mmi && req.n === 1
    if (!req.stream) {
      const choices = batchable
        ? [choiceOf(unwrap(await scheduler.batched({ prompt, config: call }, controller.signal)), 0, req.stop)]
        : await scheduler.alone(() => complete(prompt, call, req.stop), controller.signal)
      const completion = choices.reduce((s, c) => s + c.tokens, 0)
      return {
        ...base,
        object: 'chat.completion',
        choices: choices.map((c) => ({ index: c.index, message: { role: 'assistant', content: c.text }, finish_reason: c.finish, logprobs: null })),
        usage: { prompt_tokens: prompt.length, completion_tokens: completion, total_tokens: prompt.length + completion },
      }
    }
    // Streamed: the queue decides at once whether it takes the request (or answers 503); then the events start.
    const send = (delta: Record<string, unknown>, finish: string | null) =>
      writeEvent(reply.raw, { ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })
    let finished: Promise<FinishReason>
    if (batchable) {
      const text = new ReplyText(bot, req.stop)
      // A stop string or a blocked phrase ends this row alone.
      const row = new AbortController()
      const signal = AbortSignal.any([controller.signal, row.signal])
      finished = scheduler
        .batched(
          {
            prompt,
            config: { ...call, signal },
            onToken: (id) => {
              const piece = text.push(id)
              if (piece) send({ content: piece }, null)
              if (text.ended) row.abort()
            },
          },
          controller.signal,
        )
        .then((result) => {
          const rest = text.flush()
          if (rest) send({ content: rest }, null)
          // A stop string or a blocked phrase aborted the row; otherwise the decoder says how it ended.
          if (text.ended) return text.ended === 'stop' ? 'stop' : 'content_filter'
          return FINISH[unwrap(result).finishedBy]
        })
    } else {
      finished = scheduler.alone(async () => {
        const [choice] = await complete(prompt, call, req.stop)
        if (choice!.text) send({ content: choice!.text }, null)
        return choice!.finish
      }, controller.signal)
    }
    reply.hijack()
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    send({ role: 'assistant', content: '' }, null)
    try {
      send({}, await finished)
      reply.raw.write('data: [DONE]\n\n')
    } catch (error) {
      if ((error as Error).name !== 'AbortError') writeEvent(reply.raw, new ApiError(500, `internal error: ${(error as Error).message}`).body())
    } finally {
      reply.raw.end()
    }
    return reply
  })

  /** The settings of a request (bot defaults < server settings < the request), its prompt, and the checks that need the model. */
  function prepare(req: CompletionRequest): { config: GenerationConfig; prompt: number[] } {
    const layers: GenerationConfig = { ...options.generation, ...req.config }
    if (req.mmi) {
      if (!options.backward) throw new ApiError(400, "'mmi' needs a backward model: start the server with one (dialogpt serve --reverse-model DIR)", 'mmi')
      layers.mmi = { backward: options.backward, numSamples: req.n > 1 ? Math.max(16, req.n) : undefined }
    }
    const config = bot.configFor(layers)
    const positions = bot.model.config.n_positions
    const maxNew = config.maxNewTokens ?? GENERATION_DEFAULTS.maxNewTokens
    if (maxNew > positions - 2)
      throw new ApiError(400, `max_tokens ${maxNew} leaves no room for a prompt: the model has ${positions} positions (at most ${positions - 2})`, req.config.maxNewTokens === undefined ? null : 'max_tokens')
    try {
      const turns = req.turns.map((t) => bot.tokenizer.encode(t))
      return { config, prompt: bot.promptFor(turns, maxNew, 'refuse').ids }
    } catch (error) {
      throw new ApiError(400, `${(error as Error).message}: shorten it or lower max_tokens`, `messages[${req.turns.length - 1}].content`, 'invalid_request_error', 'context_length_exceeded')
    }
  }

  /** All choices at once (beam search, MMI, n > 1). */
  async function complete(prompt: number[], config: GenerationConfig, stop: string[]): Promise<Choice[]> {
    const [sequences] = await generate(lm, prompt, config)
    return sequences!.map((s, index) => choiceOf(s, index, stop))
  }

  /** A generated sequence as a choice: the block list's output check, then the stop strings. */
  function choiceOf(raw: GeneratedSequence, index: number, stop: readonly string[]): Choice {
    const s = bot.checkOutput(raw)
    const text = bot.tokenizer.decode(s.ids.filter((id) => id !== bot.tokenizer.eosTokenId))
    const at = firstStop(text, stop)
    return { index, text: at === -1 ? text : text.slice(0, at), finish: at === -1 ? FINISH[s.finishedBy] : 'stop', tokens: s.ids.length }
  }

  return app
}

/** The sequence of a batch result; its error (an `AbortError` when the client went away) is thrown. */
function unwrap(result: { sequence: GeneratedSequence } | { error: Error }): GeneratedSequence {
  if ('error' in result) throw result.error
  return result.sequence
}

function writeEvent(raw: ServerResponse, value: unknown): void {
  if (!raw.destroyed) raw.write(`data: ${JSON.stringify(value)}\n\n`)
}

