import { parseArgs } from 'node:util'
import { causalLM, loadGPT2WithFiles, type GPT2 } from '@dialogpt/core'
import { createServer } from '@dialogpt/serve'
import { DECODING_BOOLEAN_FLAGS, DECODING_STRING_FLAGS, DECODING_USAGE, loadBot } from './decoding-flags'
import { flagTable, intFlag, oneOf, UsageError, type CliIo } from './io'

export const SERVE_USAGE = `Usage: dialogpt serve --model DIR_OR_REPO [options]

Serves the model with OpenAI's chat-completions API: POST /v1/chat/completions (streaming with
"stream": true), GET /v1/models, GET /health. Requests generate one at a time, in order.

Server:
  --host HOST                  default 127.0.0.1 (this machine only)
  --port N                     default 8000
  --api-key-env NAME           require "Authorization: Bearer <key>" with the key in $NAME
  --max-waiting N              requests that may queue (default 16); more get 503 + Retry-After
  --model-id NAME              the model's name in the API (default: --model)
  --reverse-model DIR          a backward model: requests may then set "mmi": true
${DECODING_USAGE}The decoding flags set the server's defaults; each request's fields override them.
`

/** `dialogpt serve`. Runs until SIGINT or SIGTERM; returns the exit status. */
export async function serveCommand(argv: string[], io: CliIo, onListening?: (url: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: flagTable([...DECODING_STRING_FLAGS, 'host', 'port', 'api-key-env', 'max-waiting', 'model-id'] as const, [...DECODING_BOOLEAN_FLAGS] as const),
  })
  if (values.help) {
    io.stdout(SERVE_USAGE)
    return 0
  }
  if (values.mmi) throw new UsageError("serve takes --reverse-model DIR, and each request chooses MMI with \"mmi\": true; --mmi does not apply")
  let apiKey: string | undefined
  if (values['api-key-env'] !== undefined) {
    apiKey = process.env[values['api-key-env']]
    if (!apiKey) throw new UsageError(`--api-key-env ${values['api-key-env']}: that environment variable is empty or not set`)
  }
  const port = intFlag(values.port, 'port', 0) ?? 8000
  const { bot, config, dispose } = await loadBot({ ...values, 'reverse-model': undefined }, io, undefined)
  let backward: GPT2 | undefined
  try {
    if (values['reverse-model']) backward = (await loadGPT2WithFiles(values['reverse-model'], { revision: values.revision, cacheDir: values['cache-dir'], localFilesOnly: values['local-files-only'], dtype: oneOf(values.dtype, 'dtype', ['fp32', 'f16', 'q8'] as const) })).model
    const app = createServer({ bot, generation: config, backward: backward && causalLM(backward), apiKey, maxWaiting: intFlag(values['max-waiting'], 'max-waiting', 0), modelId: values['model-id'] ?? values.model })
    const url = await app.listen({ host: values.host ?? '127.0.0.1', port })
    io.stderr(`dialogpt serve: ${values.model} at ${url}/v1 (${apiKey ? 'API key required' : 'no API key'}); Ctrl-C stops\n`)
    onListening?.(url)
    await new Promise<void>((stop) => {
      const quit = () => stop()
      process.once('SIGINT', quit)
      process.once('SIGTERM', quit)
    })
    await app.close()
    return 0
  } finally {
    backward?.dispose()
    dispose()
  }
}
