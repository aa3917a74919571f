import { parseArgs } from 'node:util'
import { causalLM, DialoGPT, loadGPT2WithFiles, type GPT2 } from '@dialogpt/core'
import { GPT2_VOCAB_SIZE } from '@dialogpt/data'
import { GenerationConfig } from '@dialogpt/decode'
import { flagTable, intFlag, MODEL_SOURCE_FLAGS, numberFlag, UsageError, type CliIo } from './io'

export const GENERATE_USAGE = `Usage: dialogpt generate --model DIR_OR_REPO --prompt TEXT [options]

Generates a reply to PROMPT (DialoGPT style: the prompt is followed by <|endoftext|>).

Model:
  --model DIR_OR_REPO          a local directory, weight file, or Hub repository id
  --revision REV               Hub branch, tag or commit (default main)
  --cache-dir DIR              Hugging Face cache directory
  --local-files-only           use the cache only, never the network
Generation (Hugging Face generate() semantics; default: greedy, 20 new tokens):
  --max-new-tokens N           --min-new-tokens N
  --num-beams K                --length-penalty X       --early-stopping true|false|never
  --num-return-sequences M
  --do-sample                  --top-k K                --top-p P    --temperature T    --seed S
  --repetition-penalty R       --no-repeat-ngram-size N --eos-token-id ID
  --mmi --reverse-model DIR    --num-samples N (default 16; top-k defaults to 10 with --mmi)
Output:
  --json                       { "sequences": [ { "ids", "text", "score" } ] }
`

/** `dialogpt generate`. Returns the exit status. */
export async function generateCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: flagTable(
      [...MODEL_SOURCE_FLAGS, 'prompt', 'max-new-tokens', 'min-new-tokens', 'num-beams', 'length-penalty', 'early-stopping', 'num-return-sequences', 'top-k', 'top-p', 'temperature', 'seed', 'repetition-penalty', 'no-repeat-ngram-size', 'eos-token-id', 'reverse-model', 'num-samples'],
      ['local-files-only', 'do-sample', 'mmi', 'json'],
    ),
  })
  if (values.help) {
    io.stdout(GENERATE_USAGE)
    return 0
  }
  if (!values.model || values.prompt === undefined) throw new UsageError('--model and --prompt are required')
  const early = values['early-stopping']
  if (early !== undefined && !['true', 'false', 'never'].includes(early)) throw new UsageError(`--early-stopping must be true, false or never, not '${early}'`)
  if (values.mmi && !values['reverse-model']) throw new UsageError('--mmi needs --reverse-model DIR (a backward model)')
  const hub = { revision: values.revision, cacheDir: values['cache-dir'], localFilesOnly: values['local-files-only'] }
  const config: GenerationConfig = {
    maxNewTokens: intFlag(values['max-new-tokens'], 'max-new-tokens', 1),
    minNewTokens: intFlag(values['min-new-tokens'], 'min-new-tokens'),
    numBeams: intFlag(values['num-beams'], 'num-beams', 1),
    lengthPenalty: numberFlag(values['length-penalty'], 'length-penalty'),
    earlyStopping: early === undefined ? undefined : early === 'never' ? 'never' : early === 'true',
    numReturnSequences: intFlag(values['num-return-sequences'], 'num-return-sequences', 1),
    doSample: values['do-sample'],
    topK: intFlag(values['top-k'], 'top-k'),
    topP: numberFlag(values['top-p'], 'top-p', (n) => n > 0 && n <= 1),
    temperature: numberFlag(values.temperature, 'temperature', (n) => n > 0),
    seed: intFlag(values.seed, 'seed'),
    repetitionPenalty: numberFlag(values['repetition-penalty'], 'repetition-penalty', (n) => n > 0),
    noRepeatNgramSize: intFlag(values['no-repeat-ngram-size'], 'no-repeat-ngram-size'),
    eosTokenId: intFlag(values['eos-token-id'], 'eos-token-id'),
  }
  for (const key of Object.keys(config) as (keyof GenerationConfig)[]) if (config[key] === undefined) delete config[key]
  // generate()'s own defaults (Hugging Face's: greedy, 20 new tokens), then the model's generation_config.json, then the flags.
  const loaded = await loadGPT2WithFiles(values.model, hub)
  const bot = new DialoGPT(loaded.model, { chatDefaults: {}, generation: loaded.files.generationConfig ? GenerationConfig.fromHF(loaded.files.generationConfig) : {} })
  for (const note of loaded.notes) io.stderr(`dialogpt: ${values.model}: ${note}\n`)
  let backward: GPT2 | undefined
  try {
    checkVocabulary(bot)
    if (values.mmi) {
      const reverse = await loadGPT2WithFiles(values['reverse-model']!, hub)
      backward = reverse.model
      for (const note of reverse.notes) io.stderr(`dialogpt: ${values['reverse-model']}: ${note}\n`)
      // MMI samples as the paper does (16 samples, top-K 10, temperature 1); the sampling flags change that explicitly.
      config.mmi = { backward: causalLM(backward), numSamples: intFlag(values['num-samples'], 'num-samples', 1), topK: config.topK, topP: config.topP, temperature: config.temperature }
      for (const key of ['topK', 'topP', 'temperature', 'doSample'] as const) delete config[key]
      for (const key of Object.keys(config.mmi) as (keyof typeof config.mmi)[]) if (config.mmi[key] === undefined) delete config.mmi[key]
    }
    const [sequences] = await bot.generate(values.prompt, config)
    const out = sequences!.map((s) => ({ ids: s.ids, text: bot.tokenizer.decode(s.ids.filter((id) => id !== bot.tokenizer.eosTokenId)), score: s.score }))
    if (values.json) io.stdout(`${JSON.stringify({ sequences: out })}\n`)
    else for (const s of out) io.stdout(`${s.text}${s.score === null ? '' : `\t(score ${s.score.toFixed(4)})`}\n`)
    return 0
  } finally {
    backward?.dispose()
    bot.dispose()
  }
}

/**
 * The CLI reads and writes text with GPT-2's tokenizer, so the model must have GPT-2's vocabulary.
 * A model with a smaller one (`pnpm demo` trains such models, with its own id mapping) is refused
 * here instead of failing inside the first embedding lookup.
 */
function checkVocabulary(bot: DialoGPT): void {
  const vocab = bot.model.config.vocab_size
  if (vocab < GPT2_VOCAB_SIZE)
    throw new UsageError(`the model has a vocabulary of ${vocab} tokens, smaller than GPT-2's ${GPT2_VOCAB_SIZE}: it was trained with its own token mapping (as pnpm demo's models are), which this command does not know; use it from code with that mapping`)
}
