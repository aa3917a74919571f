/**
 * `@dialogpt/serve`: an OpenAI-compatible chat-completions server for DialoGPT models, to embed
 * (`createServer({ bot })` returns a Fastify instance) or to run with `dialogpt serve`.
 *
 * @packageDocumentation
 */
export { createServer, type ServeOptions } from './server'
export { ApiError } from './api-error'
export { parseCompletionRequest, type CompletionRequest, type RequestLimits } from './completion-request'
