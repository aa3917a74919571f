import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import Fastify, { type FastifyInstance } from 'fastify'
import type { DialoGPT } from '@dialogpt/core'
import { generate, GENERATION_DEFAULTS, GenerationConfigError, stream, type CausalLM, type FinishReason, type GenerationConfig } from '@dialogpt/decode'
import { Admission } from './admission'
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
}

type Choice = { index: number; text: string; finish: 'stop' | 'length' | 'content_filter'; tokens: number }

const FINISH: Record<FinishReason, Choice['finish']> = { eos: 'stop', max_length: 'length', max_time: 'length', filtered: 'content_filter' }

/**
 * An OpenAI-compatible chat-completions server for a DialoGPT, on Fastify: `POST
 * /v1/chat/completions` (plain, or streamed as server-sent events), `GET /v1/models` and `GET
 * /health`. Requests generate one at a time in arrival order, with a bounded queue; a client that
 * goes away stops its generation within a step. Bind it yourself (`listen({ host: '127.0.0.1' })`)
 * or use `dialogpt serve`.
 *
 * Fastify, because it is the most used well-kept Node framework with what this needs built in:
 * body-size limits and JSON parsing with typed errors, per-route hooks for the API key, an
 * `inject` for tests, and direct access to the response for server-sent events.
 */
export function createServer(options: ServeOptions): FastifyInstance {
  const { bot } = options
  const modelId = options.modelId ?? 'dialogpt'
  const admission = new Admission(options.maxWaiting ?? 16, options.retryAfterSeconds ?? 2)
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
    if (api.status === 503) void reply.header('retry-after', String(admission.retryAfterSeconds))
    void reply.status(api.status).send(api.body())
  })
  app.setNotFoundHandler((request, reply) => void reply.status(404).send(new ApiError(404, `no route ${request.method} ${request.url}`).body()))

  app.addHook('onRequest', async (request) => {
    if (options.apiKey !== undefined && request.url.startsWith('/v1/') && !hasApiKey(request.headers.authorization, options.apiKey))
      throw new ApiError(401, 'a valid API key is required (Authorization: Bearer <key>)', null, 'authentication_error', 'invalid_api_key')
  })

  app.get('/health', async () => ({ status: 'ok', model: modelId, ...admission.state }))
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
    if (!req.stream) {
      const choices = await admission.run(() => complete(prompt, call, req.stop), controller.signal)
      const completion = choices.reduce((s, c) => s + c.tokens, 0)
      return {
        ...base,
        object: 'chat.completion',
        choices: choices.map((c) => ({ index: c.index, message: { role: 'assistant', content: c.text }, finish_reason: c.finish, logprobs: null })),
        usage: { prompt_tokens: prompt.length, completion_tokens: completion, total_tokens: prompt.length + completion },
      }
    }
    await admission.run(async () => {
      reply.hijack()
      const raw = reply.raw
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
      const send = (delta: Record<string, unknown>, finish: string | null) =>
        writeEvent(raw, { ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })
      send({ role: 'assistant', content: '' }, null)
      try {
        const finish = await streamChoice(prompt, call, req.stop, (text) => send({ content: text }, null))
        send({}, finish)
        raw.write('data: [DONE]\n\n')
      } catch (error) {
        if ((error as Error).name !== 'AbortError' && !raw.destroyed) writeEvent(raw, new ApiError(500, `internal error: ${(error as Error).message}`).body())
      } finally {
        raw.end()
      }
    }, controller.signal).catch((error: unknown) => {
      if ((error as Error).name === 'AbortError') return
      throw error
    })
    return reply
  })

  /** The settings of a request (bot defaults < server settings < the request), its prompt, and the checks that need the model. */
  function prepare(req: CompletionRequest): { config: GenerationConfig; prompt: number[] } {
    const layers: GenerationConfig = { ...options.generation, ...req.config }
    if (req.mmi) {
      if (!options.backward) throw new ApiError(400, "'mmi' needs a backward model: start the server with one (dialogpt serve --reverse-model DIR)", 'mmi')
      layers.mmi = { backward: options.backward, numSamples: req.n > 1 ? Math.max(16, req.n) : undefined }
      delete layers.numReturnSequences
      if (req.n > 1) layers.numReturnSequences = req.n
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

  /** All choices at once (beam search, MMI, n > 1, or a plain request). */
  async function complete(prompt: number[], config: GenerationConfig, stop: string[]): Promise<Choice[]> {
    const [sequences] = await generate(bot.lm, prompt, config)
    return sequences!.map((raw, index) => {
      const s = bot.checkOutput(raw)
      const ids = s.ids.filter((id) => id !== bot.tokenizer.eosTokenId)
      const text = bot.tokenizer.decode(ids)
      const at = firstStop(text, stop)
      return { index, text: at === -1 ? text : text.slice(0, at), finish: at === -1 ? FINISH[s.finishedBy] : 'stop', tokens: s.ids.length }
    })
  }

  /**
   * One choice, streamed as text pieces. Text that could still turn into a stop string or a
   * blocked phrase is held back until it cannot; beam search and MMI send their answer at the end.
   */
  async function streamChoice(prompt: number[], config: GenerationConfig, stop: string[], onText: (text: string) => void): Promise<Choice['finish']> {
    if ((config.numBeams ?? 1) > 1 || config.mmi) {
      const [choice] = await complete(prompt, config, stop)
      if (choice!.text) onText(choice!.text)
      return choice!.finish
    }
    const eos = bot.tokenizer.eosTokenId
    const hold = Math.max(0, ...stop.map((s) => s.length - 1), bot.blockList?.longest ?? 0)
    const maxNew = config.maxNewTokens ?? GENERATION_DEFAULTS.maxNewTokens
    const ids: number[] = []
    let sent = 0
    let count = 0
    let finish: Choice['finish'] = 'length'
    let text = ''
    for await (const id of stream(bot.lm, prompt, config)) {
      count++
      if (id === eos) {
        finish = 'stop'
        break
      }
      ids.push(id)
      text = bot.tokenizer.decode(ids)
      if (text.endsWith('\uFFFD')) continue
      const at = firstStop(text, stop)
      const blocked = bot.blockList?.find(text)
      if (at !== -1 || blocked) {
        text = text.slice(0, Math.min(at === -1 ? Infinity : at, blocked ? blocked.index : Infinity))
        finish = blocked && (at === -1 || blocked.index < at) ? 'content_filter' : 'stop'
        break
      }
      if (text.length - hold > sent) {
        onText(text.slice(sent, text.length - hold))
        sent = text.length - hold
      }
    }
    if (finish === 'length' && count < maxNew) finish = 'stop'
    if (text.length > sent) onText(text.slice(sent))
    return finish
  }

  return app
}

function firstStop(text: string, stop: readonly string[]): number {
  let first = -1
  for (const s of stop) {
    const i = text.indexOf(s)
    if (i !== -1 && (first === -1 || i < first)) first = i
  }
  return first
}

function writeEvent(raw: ServerResponse, value: unknown): void {
  if (!raw.destroyed) raw.write(`data: ${JSON.stringify(value)}\n\n`)
}

