import { parseArgs } from 'node:util'
import { DECODING_BOOLEAN_FLAGS, DECODING_STRING_FLAGS, DECODING_USAGE, loadBot } from './decoding-flags'
import { flagTable, UsageError, type CliIo } from './io'

export const GENERATE_USAGE = `Usage: dialogpt generate --model DIR_OR_REPO --prompt TEXT [options]

Generates a reply to PROMPT (DialoGPT style: the prompt is followed by <|endoftext|>). Defaults:
generate()'s own (greedy, 20 new tokens), then the model's generation_config.json, then the flags.

${DECODING_USAGE}Output:
  --json                       { "sequences": [ { "ids", "text", "score", "finishedBy" } ] }
`

/** `dialogpt generate`. Returns the exit status. */
export async function generateCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: flagTable([...DECODING_STRING_FLAGS, 'prompt'] as const, [...DECODING_BOOLEAN_FLAGS, 'json'] as const) })
  if (values.help) {
    io.stdout(GENERATE_USAGE)
    return 0
  }
  if (!values.model || values.prompt === undefined) throw new UsageError('--model and --prompt are required')
  // generate()'s own defaults (Hugging Face's: greedy, 20 new tokens), then the model's generation_config.json, then the flags.
  const { bot, config, dispose } = await loadBot(values, io, {})
  try {
    const [sequences] = await bot.generate(values.prompt, config)
    const out = sequences!.map((s) => ({ ids: s.ids, text: bot.tokenizer.decode(s.ids.filter((id) => id !== bot.tokenizer.eosTokenId)), score: s.score, finishedBy: s.finishedBy }))
    if (values.json) io.stdout(`${JSON.stringify({ sequences: out })}\n`)
    else for (const s of out) io.stdout(`${s.text}${s.score === null ? '' : `\t(score ${s.score.toFixed(4)})`}\n`)
    return 0
  } finally {
    dispose()
  }
}
